package io.deeplakelock.lock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Unit tests for {@link LockPath}. */
class LockPathTest {

  private static final Path WORK = Paths.get("/srv/work");

  // ---- canonical form -----------------------------------------------------------------------

  @ParameterizedTest
  @ValueSource(
      strings = {
        "ds",
        "./ds",
        "ds/",
        "./ds/.",
        "x/../ds",
        "x/y/../../ds",
        "/srv/work/ds",
        "/srv/work/x/../ds",
        "/srv//work/ds",
        "file:///srv/work/ds",
        "file:/srv/work/ds",
        "file://localhost/srv/work/ds",
        "FILE:///srv/work/ds/",
      })
  void spellingsOfOneLocalDatasetShareOneCanonicalForm(String dataset) {
    assertEquals("/srv/work/ds", LockPath.canonical(dataset, WORK));
  }

  @Test
  void parentSegmentsAreResolvedLexically() {
    assertEquals("/ds", LockPath.canonical("/x/../ds", WORK));
    assertEquals("/srv/ds", LockPath.canonical("../ds", WORK));
    assertEquals("/srv/work", LockPath.canonical(".", WORK));
  }

  @Test
  void fileUriIsDecoded() {
    assertEquals("/data/my ds", LockPath.canonical("file:///data/my%20ds", WORK));
  }

  @ParameterizedTest
  @CsvSource({
    "S3://Bucket/ds/, s3://Bucket/ds",
    "s3://bucket/ds///, s3://bucket/ds",
    "s3://bucket/, s3://bucket",
    "s3://, s3://",
    "hub://org/ds, hub://org/ds",
    "Hub://Org/DS, hub://Org/DS",
    "gcs://b/a//b, gcs://b/a//b",
    "mem://x, mem://x",
  })
  void urlsGetALowerCaseSchemeAndLoseTrailingSlashes(String dataset, String canonical) {
    assertEquals(canonical, LockPath.canonical(dataset, WORK));
  }

  @Test
  void emptyDatasetIsRejected() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> LockPath.canonical("", WORK));

    assertEquals("the dataset path is empty", e.getMessage());
  }

  @Test
  void fileUriOnRemoteHostIsRejected() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> LockPath.canonical("file://fileserver/data/ds", WORK));

    assertTrue(e.getMessage().contains("names a remote host"), e.getMessage());
  }

  @Test
  void malformedFileUriIsRejected() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> LockPath.canonical("file:///data/a b", WORK));

    assertTrue(e.getMessage().contains("is not a valid file: URI"), e.getMessage());
  }

  @Test
  void forDatasetJoinsRootAndEncodedCanonicalPath() {
    assertEquals("/deeplake/%2Fdata%2Fds", LockPath.forDataset("/deeplake", "/data/ds/", WORK));
    assertEquals("/deeplake/%2Fsrv%2Fwork%2Fds", LockPath.forDataset("/deeplake", "./ds", WORK));
    assertEquals(
        "/locks/s3%3A%2F%2Fbucket%2Fds", LockPath.forDataset("/locks", "S3://bucket/ds/", WORK));
  }

  // ---- encoding -----------------------------------------------------------------------------

  /**
   * Expected values are what Python's {@code urllib.parse.quote(s, safe="")} returns: UTF-8 bytes,
   * upper-case hex, and only {@code A-Z a-z 0-9 - . _ ~} left as they are.
   */
  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '"',
      value = {
        "/data/ds|%2Fdata%2Fds",
        "s3://bucket/a b|s3%3A%2F%2Fbucket%2Fa%20b",
        "hub://org/ds|hub%3A%2F%2Forg%2Fds",
        "100%~._-|100%25~._-",
        "a+b=c&d?e#f|a%2Bb%3Dc%26d%3Fe%23f",
        "caf\u00e9|caf%C3%A9",
        "\u00fcn\u00efc\u00f8d\u00e9|%C3%BCn%C3%AFc%C3%B8d%C3%A9",
        "\u65e5\u672c|%E6%97%A5%E6%9C%AC",
        "\ud83d\ude00|%F0%9F%98%80",
        "ABCxyz0189|ABCxyz0189",
        "tab\there|tab%09here",
        "it's|it%27s",
        "[*]:;,!@$|%5B%2A%5D%3A%3B%2C%21%40%24",
      })
  void encodingIsPythonQuoteWithNoSafeCharacters(String text, String encoded) {
    assertEquals(encoded, LockPath.encode(text));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "/",
        "/data/ds",
        "%",
        "%2F",
        "%%25",
        "a b",
        "~._-",
        "caf\u00e9",
        "\u65e5\u672c\u8a9e/\u30c7\u30fc\u30bf",
        "\ud83d\ude00",
        "s3://bucket/a b?c",
      })
  void decodeReversesEncode(String text) {
    assertEquals(text, LockPath.decode(LockPath.encode(text)));
  }

  @Test
  void decodeReversesEncodeForRandomStrings() {
    Random random = new Random(20240611L);
    for (int i = 0; i < 2_000; i++) {
      String text = randomString(random, 40);

      String encoded = LockPath.encode(text);

      assertEquals(text, LockPath.decode(encoded), () -> "round trip of " + escape(text));
      assertTrue(encoded.matches("[A-Za-z0-9._~%-]*"), encoded);
    }
  }

  @Test
  void encodedCanonicalPathIsAlwaysOneValidZnodeName() {
    Random random = new Random(7L);
    String[] fixed = {".", "..", "./", "../..", "/", "/.", "file:///", "ds/..", "s3://"};
    for (String dataset : fixed) {
      assertValidZnodeName(LockPath.encode(LockPath.canonical(dataset, WORK)), dataset);
    }
    for (int i = 0; i < 2_000; i++) {
      String dataset = randomPathLike(random);
      String name;
      try {
        name = LockPath.encode(LockPath.canonical(dataset, WORK));
      } catch (IllegalArgumentException e) {
        continue; // a malformed file: URI is refused, which is fine
      }
      assertValidZnodeName(name, dataset);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"%", "%2", "ab%", "%zz", "%2g", "%-1"})
  void decodeRejectsMalformedEscapes(String name) {
    assertThrows(IllegalArgumentException.class, () -> LockPath.decode(name));
  }

  // ---- helpers ------------------------------------------------------------------------------

  private static void assertValidZnodeName(String name, String from) {
    assertFalse(name.isEmpty(), () -> "empty name for " + escape(from));
    assertFalse(name.contains("/"), () -> name + " for " + escape(from));
    assertFalse(name.equals(".") || name.equals(".."), () -> name + " for " + escape(from));
    for (char c : name.toCharArray()) {
      assertTrue(c > 0x20 && c < 0x7f, () -> name + " for " + escape(from));
    }
  }

  /** Any valid Unicode text: ASCII, Latin, CJK, emoji and control characters, no lone surrogate. */
  private static String randomString(Random random, int maxLength) {
    StringBuilder out = new StringBuilder();
    int length = random.nextInt(maxLength + 1);
    for (int i = 0; i < length; i++) {
      int kind = random.nextInt(5);
      int codePoint;
      if (kind == 0) {
        codePoint = random.nextInt(0x80);
      } else if (kind == 1) {
        codePoint = 0x20 + random.nextInt(0x5f);
      } else if (kind == 2) {
        codePoint = 0x80 + random.nextInt(0x800 - 0x80);
      } else if (kind == 3) {
        do {
          codePoint = 0x800 + random.nextInt(0x10000 - 0x800);
        } while (codePoint >= Character.MIN_SURROGATE && codePoint <= Character.MAX_SURROGATE);
      } else {
        codePoint = 0x10000 + random.nextInt(Character.MAX_CODE_POINT + 1 - 0x10000);
      }
      out.appendCodePoint(codePoint);
    }
    return out.toString();
  }

  /** Text built from path pieces, so that dots, slashes and schemes are common. */
  private static String randomPathLike(Random random) {
    String[] pieces = {
      "/", "/", ".", "..", "./", "../", "ds", "a b", "%", "~", "file:", "s3:", "//", "\u00e9", ":"
    };
    StringBuilder out = new StringBuilder();
    int length = 1 + random.nextInt(8);
    for (int i = 0; i < length; i++) {
      out.append(pieces[random.nextInt(pieces.length)]);
    }
    return out.toString();
  }

  private static String escape(String text) {
    StringBuilder out = new StringBuilder();
    text.codePoints().forEach(c -> out.append(c < 0x7f && c >= 0x20 ? "" + (char) c : "\\u" + c));
    return out.toString();
  }
}
