package io.deeplakelock.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Unit tests for {@link MethodSelector}. */
class MethodSelectorTest {

  @Test
  void plainNameMatchesAnyOverload() {
    MethodSelector selector = MethodSelector.parse("append");

    assertEquals("append", selector.name());
    assertNull(selector.parameterTypes());
    assertEquals("append", selector.toString());
  }

  @Test
  void parameterTypesPickOneOverload() {
    MethodSelector selector = MethodSelector.parse("append(java.lang.String,byte[])");

    assertEquals("append", selector.name());
    assertEquals(List.of("java.lang.String", "byte[]"), selector.parameterTypes());
    assertEquals("append(java.lang.String,byte[])", selector.toString());
  }

  @Test
  void emptyParenthesesMeanNoParameters() {
    MethodSelector selector = MethodSelector.parse("flush()");

    assertEquals(List.of(), selector.parameterTypes());
    assertEquals("flush()", selector.toString());
  }

  @Test
  void spacesAreIgnoredAndVarargsAreArrays() {
    MethodSelector selector = MethodSelector.parse("  update ( int ,  String... , long[][] )  ");

    assertEquals("update", selector.name());
    assertEquals(List.of("int", "String[]", "long[][]"), selector.parameterTypes());
  }

  @Test
  void globMatchesMethodNames() {
    MethodSelector selector = MethodSelector.parse("delete*");

    assertTrue(selector.matchesName("delete"));
    assertTrue(selector.matchesName("deleteRows"));
    assertFalse(selector.matchesName("undelete"));
    assertTrue(MethodSelector.parse("*").matchesName("anything"));
    assertTrue(MethodSelector.parse("append").matchesName("append"));
    assertFalse(MethodSelector.parse("append").matchesName("appendAll"));
  }

  @Test
  void overlapsWhenSomeMethodCouldMatchBoth() {
    assertTrue(MethodSelector.parse("append").overlaps(MethodSelector.parse("append")));
    assertTrue(MethodSelector.parse("append").overlaps(MethodSelector.parse("app*")));
    assertTrue(MethodSelector.parse("app*").overlaps(MethodSelector.parse("append(int)")));
    assertTrue(MethodSelector.parse("append(int)").overlaps(MethodSelector.parse("append")));
    assertFalse(MethodSelector.parse("append").overlaps(MethodSelector.parse("delete")));
    assertFalse(MethodSelector.parse("append(int)").overlaps(MethodSelector.parse("append(long)")));
    assertFalse(MethodSelector.parse("delete*").overlaps(MethodSelector.parse("append")));
  }

  @Test
  void dollarAndUnderscoreAreNameCharacters() {
    assertEquals("$append_2", MethodSelector.parse("$append_2").name());
    assertEquals(
        List.of("com.acme.Outer$Inner"),
        MethodSelector.parse("put(com.acme.Outer$Inner)").parameterTypes());
  }

  @ParameterizedTest
  @ValueSource(strings = {"1append", "", "append(", "append)", "app end", "a.b", "append(int)x"})
  void malformedSelectorIsRejectedAtItsStart(String text) {
    DatasetExpression.SyntaxException e =
        assertThrows(DatasetExpression.SyntaxException.class, () -> MethodSelector.parse(text));

    assertEquals(0, e.offset());
    assertTrue(e.getMessage().startsWith("'" + text + "' is not a method"), e.getMessage());
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '"',
      value = {
        "append(java.lang.String,)|24|''",
        "append(,int)|7|''",
        "append(int,java..String)|11|'java..String'",
        "append(int, 2x)|11|'2x'",
        "append(List<String>)|7|'List<String>'",
      })
  void badParameterTypeIsRejectedAtItsOffset(String text, int offset, String quoted) {
    DatasetExpression.SyntaxException e =
        assertThrows(DatasetExpression.SyntaxException.class, () -> MethodSelector.parse(text));

    assertEquals(offset, e.offset());
    assertTrue(
        e.getMessage().startsWith(quoted + " is not a parameter type"), () -> e.getMessage());
  }

  @ParameterizedTest
  @CsvSource({
    "java.lang.String, java.lang.String",
    "String, java.lang.String",
    "int, int",
    "byte[], byte[]",
    "String[], java.lang.String[]",
    "java.util.Map.Entry, java.util.Map$Entry",
    "java.util.Map$Entry, java.util.Map$Entry",
    "Entry, java.util.Map$Entry",
  })
  void sameTypeAcceptsWhatUsersWrite(String written, String typeName) {
    assertTrue(MethodSelector.sameType(written, typeName));
  }

  @ParameterizedTest
  @CsvSource({
    "Integer, int",
    "java.lang.Object, java.lang.String",
    "com.acme.String, java.lang.String",
    "String, java.lang.String[]",
    "byte, byte[]",
  })
  void sameTypeRejectsOtherTypes(String written, String typeName) {
    assertFalse(MethodSelector.sameType(written, typeName));
  }
}
