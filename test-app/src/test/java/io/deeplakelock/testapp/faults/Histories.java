package io.deeplakelock.testapp.faults;

import io.deeplakelock.testapp.service.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/** The JSON-lines operation histories the child processes of one trial write. */
final class Histories {
  static final String PREFIX = "history-";

  private Histories() {}

  static Path fileOf(Path dir, String child) {
    return dir.resolve(PREFIX + child + ".jsonl");
  }

  /** Every record of every child, file by file; a last line still being written is skipped. */
  static List<Map<String, Object>> read(Path dir) throws IOException {
    List<Map<String, Object>> records = new ArrayList<>();
    List<Path> files;
    try (Stream<Path> list = Files.list(dir)) {
      files = list.filter(p -> p.getFileName().toString().startsWith(PREFIX)).sorted().toList();
    }
    for (Path file : files) {
      String content = new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
      int end = content.lastIndexOf('\n');
      if (end < 0) {
        continue;
      }
      for (String line : content.substring(0, end).split("\n")) {
        records.add(Json.parseObject(line));
      }
    }
    return records;
  }

  /** Whether an operation that entered its critical section after {@code micros} completed ok. */
  static boolean okEnteredAfter(Path dir, long micros) throws IOException {
    for (Map<String, Object> record : read(dir)) {
      if ("complete".equals(record.get("type"))
          && "ok".equals(record.get("outcome"))
          && record.get("enter") instanceof Long
          && (Long) record.get("enter") > micros) {
        return true;
      }
    }
    return false;
  }

  /** How many operations completed so far, whatever their outcome. */
  static int completedCount(Path dir) throws IOException {
    int completed = 0;
    for (Map<String, Object> record : read(dir)) {
      if ("complete".equals(record.get("type"))) {
        completed++;
      }
    }
    return completed;
  }

  /** The session an operation's lock was held by, from its enter record, or null. */
  static String sessionOf(Path dir, String op) throws IOException {
    for (Map<String, Object> record : read(dir)) {
      if ("enter".equals(record.get("type")) && op.equals(record.get("op"))) {
        return (String) record.get("session");
      }
    }
    return null;
  }
}
