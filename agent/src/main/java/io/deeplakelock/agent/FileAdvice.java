package io.deeplakelock.agent;

import io.deeplakelock.bridge.AuditBridge;
import java.io.File;
import java.util.Set;
import net.bytebuddy.asm.Advice;

/**
 * The advice woven into the JDK's file entry points when the audit is on: one call to {@link
 * AuditBridge} before the operation, which may throw to refuse it.
 *
 * <p>Inlined into bootstrap classes ({@code java.io.File}, {@code FileOutputStream}, the default
 * file-system provider), so it names only JDK types and the bridge. Constructor advice runs before
 * the superclass constructor and so only reads arguments.
 */
final class FileAdvice {

  private FileAdvice() {}

  /** {@code File.delete()}, {@code createNewFile()}, {@code mkdir()}. */
  static final class OnFile {
    @Advice.OnMethodEnter
    static void enter(@Advice.This File self, @AuditOp int operation) {
      AuditBridge.check(self, operation);
    }
  }

  /** {@code File.renameTo(File)}. */
  static final class RenameFile {
    @Advice.OnMethodEnter
    static void enter(@Advice.This File self, @Advice.Argument(0) File target) {
      AuditBridge.transfer(self, target, false);
    }
  }

  /** {@code FileOutputStream(File, boolean)}, which every other path constructor calls. */
  static final class Output {
    @Advice.OnMethodEnter
    static void enter(@Advice.Argument(0) File file, @Advice.Argument(1) boolean append) {
      AuditBridge.output(file, append);
    }
  }

  /** {@code FileInputStream(File)}, which {@code FileInputStream(String)} calls. */
  static final class Input {
    @Advice.OnMethodEnter
    static void enter(@Advice.Argument(0) File file) {
      AuditBridge.check(file, AuditBridge.READ);
    }
  }

  /**
   * {@code RandomAccessFile(File, String)}, which {@code RandomAccessFile(String, String)} calls.
   */
  static final class RandomAccess {
    @Advice.OnMethodEnter
    static void enter(@Advice.Argument(0) File file, @Advice.Argument(1) String mode) {
      AuditBridge.randomAccess(file, mode);
    }
  }

  /** A provider's {@code newByteChannel}, {@code newFileChannel}, {@code newAsynchronous...}. */
  static final class Open {
    @Advice.OnMethodEnter
    static void enter(@Advice.Argument(0) Object path, @Advice.Argument(1) Set<?> options) {
      AuditBridge.open(path, options);
    }
  }

  /** A provider's {@code delete}, {@code deleteIfExists}, {@code createDirectory}, links. */
  static final class OnPath {
    @Advice.OnMethodEnter
    static void enter(@Advice.Argument(0) Object path, @AuditOp int operation) {
      AuditBridge.check(path, operation);
    }
  }

  /** A provider's {@code copy} (with {@code copy} true) and {@code move}. */
  static final class Transfer {
    @Advice.OnMethodEnter
    static void enter(
        @Advice.Argument(0) Object source, @Advice.Argument(1) Object target, @AuditOp int copy) {
      AuditBridge.transfer(source, target, copy != 0);
    }
  }
}
