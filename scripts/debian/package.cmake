# `cmake --install` and the Debian package (CPack), included by the top
# CMakeLists.txt. scripts/package builds the .deb; docs/install.md explains it.
include(GNUInstallDirs)

install(TARGETS connectrun RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
set(connectrun_docdir ${CMAKE_INSTALL_DATAROOTDIR}/doc/connectrun)
install(FILES ${CMAKE_SOURCE_DIR}/README.md DESTINATION ${connectrun_docdir})
install(DIRECTORY ${CMAKE_SOURCE_DIR}/docs/ DESTINATION ${connectrun_docdir}/docs)
install(DIRECTORY ${CMAKE_SOURCE_DIR}/examples/ DESTINATION ${connectrun_docdir}/examples)
# systemd looks in lib/systemd/system under /usr and /usr/local alike.
install(FILES ${CMAKE_SOURCE_DIR}/scripts/debian/connectrun@.service DESTINATION lib/systemd/system)
# The man pages, written by the binary itself from the declarations behind
# --help and `connectrun plugins` (app/cmd_man.cpp), so they cannot go stale.
set(man_dir ${CMAKE_BINARY_DIR}/man)
add_custom_command(OUTPUT ${man_dir}/connectrun.1.gz ${man_dir}/connectrun-job.5.gz
  COMMAND ${CMAKE_COMMAND} -E make_directory ${man_dir}
  COMMAND $<TARGET_FILE:connectrun> man connectrun.1 > ${man_dir}/connectrun.1
  COMMAND $<TARGET_FILE:connectrun> man connectrun-job.5 > ${man_dir}/connectrun-job.5
  COMMAND gzip -9nf ${man_dir}/connectrun.1 ${man_dir}/connectrun-job.5
  DEPENDS connectrun)
add_custom_target(connectrun_man_pages ALL DEPENDS ${man_dir}/connectrun.1.gz ${man_dir}/connectrun-job.5.gz)
# Shell completion, the same way (`connectrun completion bash|fish`): where
# bash-completion and fish look for it. zsh users source `connectrun
# completion zsh` (it runs the bash script through bashcompinit).
set(completion_dir ${CMAKE_BINARY_DIR}/completion)
add_custom_command(OUTPUT ${completion_dir}/connectrun ${completion_dir}/connectrun.fish
  COMMAND ${CMAKE_COMMAND} -E make_directory ${completion_dir}
  COMMAND $<TARGET_FILE:connectrun> completion bash > ${completion_dir}/connectrun
  COMMAND $<TARGET_FILE:connectrun> completion fish > ${completion_dir}/connectrun.fish
  DEPENDS connectrun)
add_custom_target(connectrun_completions ALL DEPENDS ${completion_dir}/connectrun ${completion_dir}/connectrun.fish)
install(FILES ${completion_dir}/connectrun DESTINATION ${CMAKE_INSTALL_DATAROOTDIR}/bash-completion/completions)
install(FILES ${completion_dir}/connectrun.fish DESTINATION ${CMAKE_INSTALL_DATAROOTDIR}/fish/vendor_completions.d)
install(FILES ${man_dir}/connectrun.1.gz DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
install(FILES ${man_dir}/connectrun-job.5.gz DESTINATION ${CMAKE_INSTALL_MANDIR}/man5)

# Debian wants its copyright and a compressed changelog in the doc folder
# (changelog.gz: a native package, its version has no Debian revision).
string(TIMESTAMP connectrun_pkg_date "%a, %d %b %Y %H:%M:%S +0000" UTC)
file(READ ${CMAKE_SOURCE_DIR}/scripts/debian/changelog changelog_text)
string(REPLACE "@VERSION@" "${PROJECT_VERSION}" changelog_text "${changelog_text}")
string(REPLACE "@DATE@" "${connectrun_pkg_date}" changelog_text "${changelog_text}")
file(WRITE ${CMAKE_BINARY_DIR}/debian/changelog.Debian "${changelog_text}")
find_program(GZIP_PROGRAM gzip)
if(GZIP_PROGRAM)
  # -n: no name or time stamp, so the package is reproducible.
  add_custom_command(OUTPUT ${CMAKE_BINARY_DIR}/debian/changelog.gz
    COMMAND ${GZIP_PROGRAM} -9nc ${CMAKE_BINARY_DIR}/debian/changelog.Debian > ${CMAKE_BINARY_DIR}/debian/changelog.gz
    DEPENDS ${CMAKE_BINARY_DIR}/debian/changelog.Debian)
  add_custom_target(connectrun_debian_changelog ALL DEPENDS ${CMAKE_BINARY_DIR}/debian/changelog.gz)
  install(FILES ${CMAKE_BINARY_DIR}/debian/changelog.gz DESTINATION ${connectrun_docdir})
endif()
install(FILES ${CMAKE_SOURCE_DIR}/scripts/debian/copyright DESTINATION ${connectrun_docdir})

set(CPACK_PACKAGE_NAME connectrun)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT "connectrun developers <connectrun@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "Kafka Connect's standalone mode as one native binary")
set(CPACK_PACKAGE_DESCRIPTION "connectrun runs the connectors of one YAML file (or of Kafka Connect's
worker.properties and connector files) in one process: source, converters,
transforms and sink, with source offsets kept in a local file, so a restart or
the next cron run goes on where the last stopped.")
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
# Depends from the shared libraries the binary and its modules link
# (dpkg-shlibdeps), plus what the maintainer scripts use, plus libsystemd0,
# which the binary dlopens under systemd (NOTIFY_SOCKET) rather than links.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "adduser, libsystemd0")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
  ${CMAKE_SOURCE_DIR}/scripts/debian/postinst ${CMAKE_SOURCE_DIR}/scripts/debian/prerm
  ${CMAKE_SOURCE_DIR}/scripts/debian/postrm)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
include(CPack)
