package io.deeplakelock.testapp.faults;

import io.deeplakelock.testapp.dataset.Dataset;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A ledger kept in a dataset, and the read-modify-write the fault-injection suite runs: row 0 holds
 * a counter; each entry reads it, appends a row naming the entry and the value it moves the counter
 * to, then writes the counter back.
 *
 * <p>Like the rest of the test-app it has no locking of its own. The suite's rules file guards
 * {@link #record} with the dataset's write lock ({@code dataset: this.path}); the dataset calls
 * inside re-enter that lock. Run unguarded, two entries that overlap read the same counter value
 * and one update is lost. Each entry pauses after its read and after its append, as real work
 * would, so that faults can hit it mid-way.
 */
public final class Ledger {
  /** The row that holds the counter. */
  public static final long COUNTER_ROW = 0;

  static final int DIMENSION = 4;

  private static final float[] UNIT = {1, 0, 0, 0};
  private static final Pattern COUNTER = Pattern.compile("counter=(\\d+) token=(\\d+)");

  /** The dataset path; the rules file reads this field. */
  private final String path;

  private final Witness witness;
  private final Random random;
  private final int minPauseMillis;
  private final int maxPauseMillis;

  Ledger(String path, Witness witness, Random random, int minPauseMillis, int maxPauseMillis) {
    this.path = path;
    this.witness = witness;
    this.random = random;
    this.minPauseMillis = minPauseMillis;
    this.maxPauseMillis = maxPauseMillis;
  }

  /** Creates the dataset with its counter at 0. */
  public static void create(String path) {
    Dataset.create(path, DIMENSION).append(counterText(0, 0), "", UNIT);
  }

  /** The text of the counter row: {@code counter=VALUE token=TOKEN}. */
  public static String counterText(long value, long token) {
    return "counter=" + value + " token=" + token;
  }

  /** The counter value a counter row's text holds. */
  public static long counterValue(String text) {
    Matcher m = COUNTER.matcher(text);
    if (!m.matches()) {
      throw new IllegalStateException("row " + COUNTER_ROW + " is not a counter: " + text);
    }
    return Long.parseLong(m.group(1));
  }

  /** The text of an entry row: {@code entry=OP counter=VALUE token=TOKEN}. */
  public static String entryText(String op, long value, long token) {
    return "entry=" + op + " counter=" + value + " token=" + token;
  }

  /** The guarded read-modify-write: one entry. */
  public void record(Entry entry) throws InterruptedException {
    entry.entered(witness.enter(entry.owner()));
    try {
      Dataset dataset = Dataset.open(path);
      long value = counterValue(dataset.get(COUNTER_ROW).text());
      entry.read(value);
      witness.mark(entry.owner(), "read");
      pause();
      entry.appending();
      entry.appended(dataset.append(entryText(entry.id(), value + 1, entry.token()), "", UNIT));
      witness.mark(entry.owner(), "appended");
      pause();
      entry.updating();
      dataset.update(COUNTER_ROW, counterText(value + 1, entry.token()), "", UNIT);
      entry.updated(value + 1);
    } finally {
      entry.exited();
      witness.exit(entry.owner());
    }
  }

  private void pause() throws InterruptedException {
    Thread.sleep(minPauseMillis + random.nextInt(maxPauseMillis - minPauseMillis + 1));
  }
}
