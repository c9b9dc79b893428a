package io.deeplakelock.testapp.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Unit tests for {@link Json}. */
class JsonTest {
  @Test
  void roundTripsWhatTheWorkloadsPrint() {
    Map<String, Object> inner = new LinkedHashMap<>();
    inner.put("w-0", "w-0:u");
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("id", "quote\" backslash\\ newline\n");
    json.put("count", 42L);
    json.put("ratio", 0.5);
    json.put("none", null);
    json.put("yes", true);
    json.put("list", Arrays.asList("a", 1L));
    json.put("map", inner);

    String line = Json.write(json);
    assertEquals(-1, line.indexOf('\n'), "one line");
    assertEquals(json, Json.parseObject(line));
  }

  @Test
  void parsesWhitespaceAndNesting() {
    Map<String, Object> json =
        Json.parseObject(" { \"a\" : [ 1 , -2.5e1 , { } , [ ] ] , \"b\":null } ");
    List<Object> a = Json.asArray(json.get("a"));
    assertEquals(1L, a.get(0));
    assertEquals(-25.0, a.get(1));
    assertNull(json.get("b"));
  }

  @Test
  void rejectsWhatIsNotJson() {
    assertThrows(IllegalArgumentException.class, () -> Json.parse("{\"a\":1"));
    assertThrows(IllegalArgumentException.class, () -> Json.parse("{\"a\":1} x"));
    assertThrows(IllegalArgumentException.class, () -> Json.parse("READY"));
    assertThrows(IllegalArgumentException.class, () -> Json.parseObject("[1]"));
  }
}
