package io.deeplakelock.bench;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.instrument.ClassFileTransformer;
import java.security.ProtectionDomain;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The methods of a class file, as raw bytes, for showing which methods a transformation changed: a
 * method whose {@code Code} attribute (instructions, exception table, stack map frames) is byte for
 * byte the same, in a class file whose constant pool starts with the original's entries unchanged,
 * runs exactly the original code.
 */
public final class ClassFileMethods {

  /** The raw constant pool entries, in order (a long or double takes one entry here). */
  final List<byte[]> constants = new ArrayList<>();

  /** {@code name + descriptor} to the method's raw {@code Code} attribute (null if abstract). */
  final Map<String, byte[]> code = new LinkedHashMap<>();

  private ClassFileMethods(byte[] classFile) {
    try {
      parse(new DataInputStream(new java.io.ByteArrayInputStream(classFile)));
    } catch (IOException e) {
      throw new UncheckedIOException("not a class file", e);
    }
  }

  public static ClassFileMethods of(byte[] classFile) {
    return new ClassFileMethods(classFile);
  }

  /** The class file of {@code className} as the class path holds it: what the compiler wrote. */
  public static byte[] original(String className, ClassLoader loader) {
    String resource = className.replace('.', '/') + ".class";
    try (InputStream in = loader.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("no class file " + resource);
      }
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      in.transferTo(out);
      return out.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * One line per method of {@code original}: whether {@code transformed} left its code byte for
   * byte unchanged.
   */
  public static List<String> compare(byte[] original, byte[] transformed) {
    ClassFileMethods before = of(original);
    ClassFileMethods after = of(transformed);
    boolean poolKept = after.constants.size() >= before.constants.size();
    for (int i = 0; poolKept && i < before.constants.size(); i++) {
      poolKept = Arrays.equals(before.constants.get(i), after.constants.get(i));
    }
    List<String> out = new ArrayList<>();
    out.add(
        "constant pool: "
            + before.constants.size()
            + " -> "
            + after.constants.size()
            + " entries, "
            + (poolKept
                ? "the original entries kept unchanged at the same indices"
                : "RENUMBERED (identical Code bytes would not mean identical code)"));
    for (Map.Entry<String, byte[]> e : before.code.entrySet()) {
      byte[] was = e.getValue();
      byte[] now = after.code.get(e.getKey());
      String verdict;
      if (!after.code.containsKey(e.getKey())) {
        verdict = "MISSING after the transformation";
      } else if (was == null || now == null) {
        verdict = was == now ? "no code either way" : "code added or removed";
      } else if (Arrays.equals(was, now) && poolKept) {
        verdict = "Code attribute byte-identical to the compiler's (" + was.length + " bytes)";
      } else {
        verdict = "changed: Code attribute " + was.length + " -> " + now.length + " bytes";
      }
      out.add(e.getKey() + ": " + verdict);
    }
    return out;
  }

  private void parse(DataInputStream in) throws IOException {
    if (in.readInt() != 0xCAFEBABE) {
      throw new IOException("bad magic");
    }
    in.readUnsignedShort(); // minor
    in.readUnsignedShort(); // major
    int count = in.readUnsignedShort();
    String[] utf8 = new String[count];
    for (int i = 1; i < count; i++) {
      int tag = in.readUnsignedByte();
      ByteArrayOutputStream raw = new ByteArrayOutputStream();
      raw.write(tag);
      int size;
      switch (tag) {
        case 1: // Utf8
          int length = in.readUnsignedShort();
          byte[] text = new byte[length];
          in.readFully(text);
          raw.write(length >> 8);
          raw.write(length);
          raw.write(text);
          utf8[i] = new String(text, java.nio.charset.StandardCharsets.UTF_8);
          constants.add(raw.toByteArray());
          continue;
        case 7: // Class
        case 8: // String
        case 16: // MethodType
        case 19: // Module
        case 20: // Package
          size = 2;
          break;
        case 15: // MethodHandle
          size = 3;
          break;
        case 3: // Integer
        case 4: // Float
        case 9: // Fieldref
        case 10: // Methodref
        case 11: // InterfaceMethodref
        case 12: // NameAndType
        case 17: // Dynamic
        case 18: // InvokeDynamic
          size = 4;
          break;
        case 5: // Long
        case 6: // Double
          size = 8;
          break;
        default:
          throw new IOException("unknown constant tag " + tag + " at " + i);
      }
      byte[] body = new byte[size];
      in.readFully(body);
      raw.write(body);
      constants.add(raw.toByteArray());
      if (tag == 5 || tag == 6) {
        i++; // takes two slots
      }
    }
    in.readUnsignedShort(); // access
    in.readUnsignedShort(); // this
    in.readUnsignedShort(); // super
    skip(in, 2 * in.readUnsignedShort()); // interfaces
    int fields = in.readUnsignedShort();
    for (int i = 0; i < fields; i++) {
      skip(in, 6);
      skipAttributes(in);
    }
    int methods = in.readUnsignedShort();
    for (int i = 0; i < methods; i++) {
      in.readUnsignedShort(); // access
      String name = utf8[in.readUnsignedShort()];
      String descriptor = utf8[in.readUnsignedShort()];
      byte[] body = null;
      int attributes = in.readUnsignedShort();
      for (int a = 0; a < attributes; a++) {
        String attribute = utf8[in.readUnsignedShort()];
        byte[] value = new byte[in.readInt()];
        in.readFully(value);
        if (attribute.equals("Code")) {
          body = value;
        }
      }
      code.put(name + descriptor, body);
    }
  }

  private static void skipAttributes(DataInputStream in) throws IOException {
    int attributes = in.readUnsignedShort();
    for (int a = 0; a < attributes; a++) {
      in.readUnsignedShort();
      skip(in, in.readInt());
    }
  }

  private static void skip(DataInputStream in, int n) throws IOException {
    in.readFully(new byte[n]);
  }

  /**
   * A transformer that keeps the class file of one class as the transformers registered before it
   * left it: registered after the agent's, it sees the agent's output.
   */
  public static final class Recorder implements ClassFileTransformer {
    private final String internalName;
    private volatile byte[] seen;

    public Recorder(String className) {
      this.internalName = className.replace('.', '/');
    }

    @Override
    public byte[] transform(
        ClassLoader loader,
        String className,
        Class<?> redefined,
        ProtectionDomain domain,
        byte[] classFile) {
      if (internalName.equals(className)) {
        seen = classFile.clone();
      }
      return null; // unchanged
    }

    /** The class file as defined, or null when the class was not defined while recording. */
    public byte[] seen() {
      return seen;
    }
  }
}
