package io.deeplakelock.lock;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Maps a dataset path to its lock znode: {@code <root>/<percent-encoded canonical path>}.
 *
 * <p><b>Canonical form.</b> Spellings of one dataset share one lock: a local path is made absolute
 * against the working directory and normalised lexically ({@code ./ds}, {@code ds/} and {@code
 * /x/../ds} agree; symbolic links are not resolved); a {@code file:} URI becomes that local path;
 * any other URL ({@code s3://}, {@code gcs://}, {@code hub://}, ...) gets a lower-case scheme and
 * loses trailing slashes.
 *
 * <p><b>Encoding.</b> Every UTF-8 byte outside {@code A-Z a-z 0-9 - . _ ~} becomes {@code %XX}
 * (upper-case hex), which is Python's {@code urllib.parse.quote(path, safe="")}: reversible, and
 * always one valid znode name.
 */
public final class LockPath {

  private static final Pattern URL =
      Pattern.compile("([A-Za-z][A-Za-z0-9+.-]+):(.*)", Pattern.DOTALL);
  private static final char[] HEX = "0123456789ABCDEF".toCharArray();

  private LockPath() {}

  /** The lock znode for {@code dataset} under {@code root}. */
  public static String forDataset(String root, String dataset, Path workingDirectory) {
    return root + "/" + encode(canonical(dataset, workingDirectory));
  }

  /**
   * The canonical form of a dataset path.
   *
   * @throws IllegalArgumentException for an empty path or a malformed {@code file:} URI
   */
  public static String canonical(String dataset, Path workingDirectory) {
    if (dataset.isEmpty()) {
      throw new IllegalArgumentException("the dataset path is empty");
    }
    Matcher url = URL.matcher(dataset);
    if (url.matches()) {
      String scheme = url.group(1).toLowerCase(Locale.ROOT);
      if (scheme.equals("file")) {
        return localPath(fileUriPath(dataset), workingDirectory);
      }
      String rest = url.group(2);
      int end = rest.length();
      while (end > 0 && rest.charAt(end - 1) == '/' && !rest.substring(0, end).equals("//")) {
        end--;
      }
      return scheme + ":" + rest.substring(0, end);
    }
    return localPath(dataset, workingDirectory);
  }

  private static String fileUriPath(String uri) {
    try {
      URI parsed = new URI(uri);
      String host = parsed.getHost();
      if (host != null && !host.isEmpty() && !host.equalsIgnoreCase("localhost")) {
        throw new IllegalArgumentException(
            "'" + uri + "' names a remote host; a file: dataset must be local");
      }
      String path = parsed.getPath();
      if (path == null || path.isEmpty()) {
        throw new IllegalArgumentException("'" + uri + "' has no path");
      }
      return path;
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException(
          "'" + uri + "' is not a valid file: URI: " + e.getReason());
    }
  }

  private static String localPath(String path, Path workingDirectory) {
    Path resolved = workingDirectory.resolve(Paths.get(path)).normalize();
    return resolved.toString();
  }

  /** Percent-encodes a canonical dataset path into one znode name. */
  public static String encode(String canonical) {
    byte[] bytes = canonical.getBytes(StandardCharsets.UTF_8);
    StringBuilder out = new StringBuilder(bytes.length + 16);
    for (byte b : bytes) {
      int c = b & 0xff;
      if ((c >= 'A' && c <= 'Z')
          || (c >= 'a' && c <= 'z')
          || (c >= '0' && c <= '9')
          || c == '-'
          || c == '.'
          || c == '_'
          || c == '~') {
        out.append((char) c);
      } else {
        out.append('%').append(HEX[c >> 4]).append(HEX[c & 0xf]);
      }
    }
    return out.toString();
  }

  /**
   * Reverses {@link #encode}.
   *
   * @throws IllegalArgumentException when {@code name} is not an encoded path
   */
  public static String decode(String name) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(name.length());
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (c == '%') {
        if (i + 2 >= name.length()) {
          throw new IllegalArgumentException("truncated escape in '" + name + "'");
        }
        int hi = Character.digit(name.charAt(i + 1), 16);
        int lo = Character.digit(name.charAt(i + 2), 16);
        if (hi < 0 || lo < 0) {
          throw new IllegalArgumentException("bad escape in '" + name + "'");
        }
        out.write((hi << 4) | lo);
        i += 2;
      } else {
        out.write(c);
      }
    }
    return new String(out.toByteArray(), StandardCharsets.UTF_8);
  }
}
