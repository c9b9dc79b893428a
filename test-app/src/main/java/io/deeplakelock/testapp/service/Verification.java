package io.deeplakelock.testapp.service;

import io.deeplakelock.testapp.dataset.Dataset;
import io.deeplakelock.testapp.dataset.Salvage;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Compares a dataset, once its writers have finished, with what they were told: acknowledged rows
 * that are missing or lack their acknowledged update (lost), texts present more than once
 * (duplicated), acknowledged deletes that did not stick (wrongly present).
 *
 * <p>Rows come from {@link Salvage}, so a dataset the library can no longer read still gets
 * counted; whether the library can still read it is reported on its own.
 */
public final class Verification {
  private static final int EXAMPLES = 5;

  private String problem;
  private long committedRows;
  private long liveRows;
  private long lost;
  private long duplicated;
  private long wronglyPresent;
  private long uncertain;
  private final List<String> lostExamples = new ArrayList<>();

  private Verification() {}

  /** Checks the dataset at {@code path} against the reports of all its writers. */
  public static Verification of(String path, List<WriterReport> writers) {
    Verification result = new Verification();
    for (WriterReport writer : writers) {
      result.uncertain += writer.uncertain().size();
    }
    Salvage salvage;
    try {
      salvage = Salvage.of(path);
    } catch (RuntimeException e) {
      // Not even the meta is readable: every acknowledged row is gone.
      result.problem = e.toString();
      for (WriterReport writer : writers) {
        result.lost += writer.expected().size();
      }
      return result;
    }
    result.committedRows = salvage.committedRows();
    result.liveRows = salvage.liveTexts().size();
    result.problem = readProblem(path, salvage.committedRows());
    result.compare(salvage.liveTexts(), writers);
    return result;
  }

  private void compare(List<String> liveTexts, List<WriterReport> writers) {
    Map<String, Integer> present = new HashMap<>();
    for (String text : liveTexts) {
      present.merge(text, 1, Integer::sum);
    }
    for (WriterReport writer : writers) {
      for (String text : writer.expected().values()) {
        if (!present.containsKey(text)) {
          lost++;
          if (lostExamples.size() < EXAMPLES) {
            lostExamples.add(text);
          }
        }
      }
      for (String key : writer.deleted()) {
        if (present.containsKey(key) || present.containsKey(RowText.updatedKey(key))) {
          wronglyPresent++;
        }
      }
    }
    for (int copies : present.values()) {
      duplicated += copies - 1;
    }
  }

  /** Reads every row through the library itself; returns what it complained about, or null. */
  private static String readProblem(String path, long rows) {
    try {
      Dataset dataset = Dataset.open(path);
      dataset.size();
      dataset.search(new float[dataset.getDimension()], 1);
      for (long index = 0; index < rows; index++) {
        dataset.get(index);
      }
      return null;
    } catch (RuntimeException e) {
      return e.toString();
    }
  }

  /** Whether the dataset is readable and nothing was lost, duplicated or wrongly kept. */
  public boolean isClean() {
    return isReadable() && lost == 0 && duplicated == 0 && wronglyPresent == 0;
  }

  /** Whether the library itself can still read every row. */
  public boolean isReadable() {
    return problem == null;
  }

  /** What went wrong reading the whole dataset, or null. */
  public String problem() {
    return problem;
  }

  public long lost() {
    return lost;
  }

  public long duplicated() {
    return duplicated;
  }

  public long wronglyPresent() {
    return wronglyPresent;
  }

  /** Rows whose writer saw an operation on them fail; they are not checked. */
  public long uncertain() {
    return uncertain;
  }

  /** A few lost row texts, for a reader who wants to look. */
  public List<String> lostExamples() {
    return Collections.unmodifiableList(lostExamples);
  }

  /** The result as one JSON object, as the {@code verify} workload prints it. */
  public Map<String, Object> toJson() {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("role", "verify");
    json.put("readable", isReadable());
    json.put("problem", problem);
    json.put("committedRows", committedRows);
    json.put("liveRows", liveRows);
    json.put("lost", lost);
    json.put("duplicated", duplicated);
    json.put("wronglyPresent", wronglyPresent);
    json.put("uncertain", uncertain);
    json.put("lostExamples", lostExamples);
    return json;
  }
}
