package io.deeplakelock.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** Unit tests for {@link ConfigLocation}. */
class ConfigLocationTest {

  private static final Function<String, String> NONE = name -> null;

  @Test
  void agentArgumentWinsOverPropertyAndEnvironment() {
    assertEquals(
        "arg.yaml",
        ConfigLocation.resolve(
            "arg.yaml",
            Map.of(ConfigLocation.PROPERTY, "prop.yaml")::get,
            Map.of(ConfigLocation.VARIABLE, "env.yaml")::get));
  }

  @Test
  void propertyWinsOverEnvironment() {
    assertEquals(
        "prop.yaml",
        ConfigLocation.resolve(
            null,
            Map.of(ConfigLocation.PROPERTY, "prop.yaml")::get,
            Map.of(ConfigLocation.VARIABLE, "env.yaml")::get));
  }

  @Test
  void environmentIsTheLastResort() {
    assertEquals(
        "env.yaml",
        ConfigLocation.resolve(null, NONE, Map.of(ConfigLocation.VARIABLE, "env.yaml")::get));
  }

  @Test
  void blankValuesAreIgnored() {
    assertEquals(
        "env.yaml",
        ConfigLocation.resolve(
            "  ",
            Map.of(ConfigLocation.PROPERTY, "")::get,
            Map.of(ConfigLocation.VARIABLE, "env.yaml")::get));
    assertEquals(
        "prop.yaml",
        ConfigLocation.resolve(
            "", Map.of(ConfigLocation.PROPERTY, "prop.yaml")::get, Map.of("X", "y")::get));
  }

  @Test
  void valuesAreTrimmed() {
    assertEquals("config/rules.yaml", ConfigLocation.resolve("  config/rules.yaml \n", NONE, NONE));
  }

  @Test
  void nothingGivenIsNull() {
    assertNull(ConfigLocation.resolve(null, NONE, NONE));
    assertNull(
        ConfigLocation.resolve(
            " ",
            Map.of(ConfigLocation.PROPERTY, " ")::get,
            Map.of(ConfigLocation.VARIABLE, "\t")::get));
  }

  @Test
  void namesAreTheDocumentedOnes() {
    assertEquals("deeplake.lock.config", ConfigLocation.PROPERTY);
    assertEquals("DEEPLAKE_LOCK_CONFIG", ConfigLocation.VARIABLE);
  }
}
