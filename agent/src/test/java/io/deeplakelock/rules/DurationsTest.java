package io.deeplakelock.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Unit tests for {@link Durations}. */
class DurationsTest {

  @ParameterizedTest
  @CsvSource({
    "500ms, 500",
    "0ms, 0",
    "4s, 4000",
    "30s, 30000",
    "2m, 120000",
    "1h, 3600000",
    "' 10s ', 10000",
    "999999999h, 3599999996400000",
  })
  void parsesWholeNumberAndUnit(String text, long millis) {
    assertEquals(millis, Durations.parseMillis(text));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "30",
        "5 sec",
        "5sec",
        "1.5s",
        "-1s",
        "10d",
        "",
        "s",
        "1S",
        "1000000000ms",
        "2m30s"
      })
  void rejectsAnythingElseAndShowsTheForm(String text) {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> Durations.parseMillis(text));

    assertEquals(
        "'" + text + "' is not a duration; write a whole number with a unit: 500ms, 30s, 2m, 1h",
        e.getMessage());
  }

  @ParameterizedTest
  @CsvSource({
    "0, 0ms",
    "1, 1ms",
    "1500, 1500ms",
    "30000, 30s",
    "90000, 90s",
    "120000, 2m",
    "3600000, 1h",
    "5400000, 90m",
  })
  void formatsTheWayAUserWouldWrite(long millis, String text) {
    assertEquals(text, Durations.format(millis));
  }

  @ParameterizedTest
  @ValueSource(strings = {"1ms", "999ms", "1s", "61s", "59m", "25h"})
  void formatRoundTrips(String text) {
    String formatted = Durations.format(Durations.parseMillis(text));

    assertEquals(Durations.parseMillis(text), Durations.parseMillis(formatted));
    assertTrue(formatted.length() <= text.length(), formatted);
  }
}
