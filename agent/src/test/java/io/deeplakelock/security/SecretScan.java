package io.deeplakelock.security;

import static org.junit.jupiter.api.Assertions.fail;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;

/**
 * Asserts that text holds none of the known secrets, in any spelling a careless log line could give
 * it: as is, as hex (jute's packet dumps), as Java's byte array text, or as Base64.
 */
final class SecretScan {

  private SecretScan() {}

  static void assertNoSecret(String where, String text, String... secrets) {
    for (String secret : secrets) {
      for (String form : forms(secret)) {
        int at = text.indexOf(form);
        if (at >= 0) {
          fail(
              where
                  + " shows a secret (as '"
                  + form
                  + "') at offset "
                  + at
                  + ": ..."
                  + text.substring(Math.max(0, at - 120), Math.min(text.length(), at + 40))
                  + "...");
        }
      }
    }
  }

  private static List<String> forms(String secret) {
    byte[] bytes = secret.getBytes(StandardCharsets.UTF_8);
    String hex = HexFormat.of().formatHex(bytes);
    List<String> forms = new ArrayList<>();
    forms.add(secret);
    forms.add(hex);
    forms.add(hex.toUpperCase(Locale.ROOT));
    String array = Arrays.toString(bytes); // [112, 119, ...]: also inside a longer array
    forms.add(array.substring(1, array.length() - 1));
    forms.add(Base64.getEncoder().withoutPadding().encodeToString(bytes));
    return forms;
  }
}
