import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.util.zip.Deflater;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;
import net.bytebuddy.jar.asm.ClassReader;
import net.bytebuddy.jar.asm.ClassVisitor;
import net.bytebuddy.jar.asm.ClassWriter;
import net.bytebuddy.jar.asm.Label;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;

/**
 * Build step, run by the agent's pom right after shading (java's source launcher, ByteBuddy's
 * repackaged ASM on the class path): removes the local-variable tables (LocalVariableTable,
 * LocalVariableTypeTable) from the bundled libraries' class files in the shaded jar.
 *
 * <p>They are debugging aids only: the JVM never reads them, reflection reads parameter names from
 * MethodParameters (kept), and stack traces use LineNumberTable and SourceFile (kept). They make up
 * about a tenth of the jar. The agent's own classes (io/deeplakelock outside io/deeplakelock/shaded)
 * are copied byte for byte. Entry order and times are kept.
 *
 * <p>Usage: {@code java -cp byte-buddy.jar StripLocalVariables path/to/deeplake-lock.jar}
 */
public final class StripLocalVariables {

  private static final String LIBRARIES = "io/deeplakelock/shaded/";

  public static void main(String[] args) throws IOException {
    Path jar = Paths.get(args[0]);
    Path tmp = jar.resolveSibling(jar.getFileName() + ".strip.tmp");
    long before = Files.size(jar);
    int stripped = 0;
    try (ZipInputStream in = new ZipInputStream(Files.newInputStream(jar));
        OutputStream file = Files.newOutputStream(tmp);
        ZipOutputStream out = new ZipOutputStream(file)) {
      out.setLevel(Deflater.BEST_COMPRESSION);
      ZipEntry entry;
      while ((entry = in.getNextEntry()) != null) {
        byte[] bytes = readAll(in);
        String name = entry.getName();
        if (name.startsWith(LIBRARIES) && name.endsWith(".class")) {
          bytes = strip(bytes);
          stripped++;
        }
        ZipEntry copy = new ZipEntry(name);
        copy.setTime(entry.getTime());
        out.putNextEntry(copy);
        out.write(bytes);
        out.closeEntry();
      }
    }
    Files.move(tmp, jar, StandardCopyOption.REPLACE_EXISTING);
    System.out.printf(
        "StripLocalVariables: %d library classes, %s %d -> %d bytes%n",
        stripped, jar.getFileName(), before, Files.size(jar));
  }

  static byte[] strip(byte[] classFile) {
    ClassReader reader = new ClassReader(classFile);
    // A fresh constant pool, so the dropped tables' names and signatures go too. Frames and max
    // stack/locals are copied unchanged: no instruction changes.
    ClassWriter writer = new ClassWriter(0);
    reader.accept(
        new ClassVisitor(Opcodes.ASM9, writer) {
          @Override
          public MethodVisitor visitMethod(
              int access, String name, String descriptor, String signature, String[] exceptions) {
            return new MethodVisitor(
                Opcodes.ASM9, super.visitMethod(access, name, descriptor, signature, exceptions)) {
              @Override
              public void visitLocalVariable(
                  String n, String d, String s, Label start, Label end, int index) {
                // dropped
              }
            };
          }
        },
        0);
    return writer.toByteArray();
  }

  private static byte[] readAll(InputStream in) throws IOException {
    return in.readAllBytes();
  }
}
