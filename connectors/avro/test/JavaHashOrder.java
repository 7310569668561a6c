// The order java.util.HashMap iterates keys in, from the JVM itself, to check
// connectrun's emulation of it (json_schema_data.h: java_hash_map_order).
// Reads UTF-8 keys, one a line, from stdin; prints (one a line) the keys of
// new HashMap<>() filled in that order, then "--", then the keys of a copy
// made with new HashMap<>(map).
import java.io.*;
import java.nio.charset.StandardCharsets;
import java.util.*;

public class JavaHashOrder {
  public static void main(String[] args) throws IOException {
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    Map<String, Integer> m = new HashMap<>();
    String line;
    int i = 0;
    while ((line = in.readLine()) != null) m.put(line, i++);
    PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), true, "UTF-8");
    for (String k : m.keySet()) out.println(k);
    out.println("--");
    for (String k : new HashMap<>(m).keySet()) out.println(k);
  }
}
