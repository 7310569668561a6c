# The databases of bench/jdbc (sourced, not run): for each DB, DB_start (a throwaway server in
# $dir, as the tests' fixtures start them; sets url, user, password), DB_sql SQL (prints the
# result), DB_create_bench (the SQL filling the source's table), DB_peer_out FILE and
# DB_peer_in CSV (the bulk tools) and their names. stop_servers stops what was started.

pgbin=/usr/lib/postgresql/15/bin
stops=()
stop_servers() { for s in "${stops[@]}"; do eval "$s" >/dev/null 2>&1 || true; done; }

postgresql_start() {
  mkdir -p "$dir/pg" && chown postgres "$dir" "$dir/pg"
  pg_port=$(free_port)
  runuser -u postgres -- "$pgbin/initdb" -D "$dir/pg/data" -U postgres --auth=trust --no-sync >/dev/null
  runuser -u postgres -- "$pgbin/pg_ctl" -D "$dir/pg/data" -l "$dir/pg/pg.log" -w \
    -o "-p $pg_port -k $dir/pg -c listen_addresses=127.0.0.1 -c fsync=off" start >/dev/null
  stops+=("runuser -u postgres -- $pgbin/pg_ctl -D $dir/pg/data -m fast stop")
  url="jdbc:postgresql://127.0.0.1:$pg_port/postgres" user=postgres password=""
}
postgresql_sql() { psql -X -q -At -h "$dir/pg" -p "$pg_port" -U postgres -d postgres -c "$1"; }
postgresql_create_bench() {
  echo "CREATE TABLE bench(id bigint PRIMARY KEY, user_name text NOT NULL, amount int NOT NULL, ts timestamp NOT NULL,
        msg text NOT NULL);
        INSERT INTO bench SELECT g, 'user-' || (g % 1000), g % 977, '2026-11-25 10:00:00', '$msg' FROM generate_series(1, $rows) g;
        ANALYZE bench"
}
postgresql_peer_out() { postgresql_sql "\\copy (SELECT * FROM bench) TO '$1'"; }
postgresql_peer_in() { postgresql_sql "\\copy copy_in FROM '$1' CSV"; }
postgresql_peer_out_name() { echo "psql \\copy (SELECT …) TO"; }
postgresql_peer_in_name() { echo "psql \\copy … FROM"; }

# MariaDB as test/servers/mariadb_server.cpp starts it (no fsync settings changed: its defaults).
mariadb_start() {
  mkdir -p "$dir/my"
  my_port=$(free_port)
  mariadb-install-db --no-defaults --user=root --datadir="$dir/my/data" --auth-root-authentication-method=normal \
    --skip-test-db > "$dir/my/install.log" 2>&1
  mariadbd --no-defaults --user=root --datadir="$dir/my/data" --port="$my_port" --bind-address=127.0.0.1 \
    --socket="$dir/my/mysqld.sock" --pid-file="$dir/my/mysqld.pid" --innodb-buffer-pool-size=32M \
    --innodb-log-file-size=16M --skip-log-bin > "$dir/my/server.log" 2>&1 &
  stops+=("mariadb-admin --no-defaults -uroot --socket=$dir/my/mysqld.sock shutdown")
  for _ in $(seq 1 600); do
    mariadb-admin --no-defaults -uroot --socket="$dir/my/mysqld.sock" ping >/dev/null 2>&1 && break
    sleep 0.1
  done
  mariadb_client -e "CREATE DATABASE bench; CREATE USER 'bench'@'%' IDENTIFIED BY 'bench';
               CREATE USER 'bench'@'localhost' IDENTIFIED BY 'bench'; GRANT ALL ON *.* TO 'bench'@'%';
               GRANT ALL ON *.* TO 'bench'@'localhost'"
  url="jdbc:mariadb://127.0.0.1:$my_port/bench" user=bench password=bench
}
mariadb_client() { mariadb --no-defaults -uroot --socket="$dir/my/mysqld.sock" "$@"; }
mariadb_sql() { mariadb_client -N -B bench -e "$1"; }
mariadb_create_bench() {
  echo "CREATE TABLE bench(id BIGINT PRIMARY KEY, user_name TEXT NOT NULL, amount INT NOT NULL, ts DATETIME NOT NULL,
        msg TEXT NOT NULL);
        INSERT INTO bench SELECT seq, CONCAT('user-', seq % 1000), seq % 977, '2026-11-25 10:00:00', '$msg'
        FROM seq_1_to_$rows;
        ANALYZE TABLE bench"
}
# The client's row-by-row mode (--quick, mysql_use_result), as the source reads.
mariadb_peer_out() { mariadb_client --quick -N -B bench -e "SELECT * FROM bench" > "$1"; }
mariadb_peer_in() {
  mariadb_client --local-infile=1 bench -e "LOAD DATA LOCAL INFILE '$1' INTO TABLE copy_in FIELDS TERMINATED BY ','"
}
mariadb_peer_out_name() { echo "mariadb --quick -e \"SELECT …\" > file"; }
mariadb_peer_in_name() { echo "mariadb -e \"LOAD DATA LOCAL INFILE …\""; }

sqlite_start() {
  mkdir -p "$dir/sqlite"
  url="jdbc:sqlite:$dir/sqlite/bench.db" user="" password=""
}
sqlite_sql() { sqlite3 "$dir/sqlite/bench.db" "$1"; }
sqlite_create_bench() {
  echo "CREATE TABLE bench(id INTEGER PRIMARY KEY NOT NULL, user_name TEXT NOT NULL, amount INT NOT NULL, ts TEXT NOT NULL,
        msg TEXT NOT NULL);
        WITH RECURSIVE g(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM g WHERE i < $rows)
        INSERT INTO bench SELECT i, 'user-' || (i % 1000), i % 977, '2026-11-25 10:00:00', '$msg' FROM g"
}
sqlite_peer_out() { sqlite3 -csv "$dir/sqlite/bench.db" "SELECT * FROM bench" > "$1"; }
sqlite_peer_in() { sqlite3 "$dir/sqlite/bench.db" ".mode csv" ".import $1 copy_in"; }
sqlite_peer_out_name() { echo "sqlite3 -csv \"SELECT …\" > file"; }
sqlite_peer_in_name() { echo "sqlite3 .import"; }
