package io.deeplakelock.bridge;

import java.nio.file.StandardOpenOption;
import java.util.Set;

/**
 * The static entry that advice woven into the JDK's file classes calls before a file is opened,
 * created, deleted or renamed, when the rules file turns the audit on.
 *
 * <p>Like {@link LockBridge} it lives on the bootstrap class path and refers to JDK types only: the
 * advice is inlined into {@code java.io.File}, {@code FileOutputStream}, the file-system provider
 * and the like.
 *
 * <p><b>Recursion.</b> While the handler decides, its thread is marked busy: any file the handler
 * itself touches (loading a class, logging, writing a draft) passes unchecked instead of recursing.
 * The agent marks its own file work the same way with {@link #quiet()}.
 */
public final class AuditBridge {

  /** Opened for reading. */
  public static final int READ = 0;

  /** Opened for writing (nio: WRITE without TRUNCATE_EXISTING; RandomAccessFile "rw"). */
  public static final int WRITE = 1;

  /** Opened for appending. */
  public static final int APPEND = 2;

  /** Opened for writing from empty (FileOutputStream without append; TRUNCATE_EXISTING). */
  public static final int TRUNCATE = 3;

  /** Created (File.createNewFile, a link). */
  public static final int CREATE = 4;

  /** Deleted. */
  public static final int DELETE = 5;

  /** Renamed or moved: checked for the source and the target. */
  public static final int RENAME = 6;

  /** Directory created. */
  public static final int MKDIR = 7;

  /** Copied onto (the target of a copy). */
  public static final int COPY = 8;

  private static final String[] LABELS = {
    "read-open",
    "write-open",
    "append-open",
    "truncating write-open",
    "create",
    "delete",
    "rename",
    "mkdir",
    "copy onto"
  };

  private static volatile AuditHandler handler;

  private static final ThreadLocal<int[]> BUSY =
      new ThreadLocal<int[]>() {
        @Override
        protected int[] initialValue() {
          return new int[1];
        }
      };

  private AuditBridge() {}

  /** Plugs in the handler; {@code null} stops all checks (the woven advice then does nothing). */
  public static void install(AuditHandler newHandler) {
    handler = newHandler;
  }

  /** The installed handler, or null. */
  public static AuditHandler handler() {
    return handler;
  }

  /** How messages name an operation constant. */
  public static String label(int operation) {
    return operation >= 0 && operation < LABELS.length
        ? LABELS[operation]
        : "operation " + operation;
  }

  /** True for every operation but {@link #READ}. */
  public static boolean changes(int operation) {
    return operation != READ;
  }

  /**
   * Checks one operation on {@code file} (a {@code java.io.File} or a {@code java.nio.file.Path}).
   *
   * @throws UnguardedWriteException when the audit refuses it
   */
  public static void check(Object file, int operation) {
    AuditHandler current = handler;
    if (current == null || file == null || !current.concerns(file)) {
      return;
    }
    int[] busy = BUSY.get();
    if (busy[0] != 0) {
      return;
    }
    busy[0] = 1;
    try {
      current.check(file, operation);
    } finally {
      busy[0] = 0;
    }
  }

  /** {@code FileOutputStream(file, append)}: it truncates the file unless it appends. */
  public static void output(Object file, boolean append) {
    if (handler != null) {
      check(file, append ? APPEND : TRUNCATE);
    }
  }

  /** {@code RandomAccessFile(file, mode)}: a write-open when the mode has {@code w}. */
  public static void randomAccess(Object file, String mode) {
    if (handler != null) {
      check(file, mode != null && mode.indexOf('w') >= 0 ? WRITE : READ);
    }
  }

  /** A provider's {@code newByteChannel}, {@code newFileChannel} and the like. */
  public static void open(Object path, Set<?> options) {
    if (handler != null) {
      check(path, openOperation(options));
    }
  }

  /** What opening with {@code options} does to a file. */
  public static int openOperation(Set<?> options) {
    if (options == null) {
      return READ;
    }
    if (options.contains(StandardOpenOption.APPEND)) {
      return APPEND;
    }
    if (options.contains(StandardOpenOption.WRITE)) {
      return options.contains(StandardOpenOption.TRUNCATE_EXISTING) ? TRUNCATE : WRITE;
    }
    if (options.contains(StandardOpenOption.DELETE_ON_CLOSE)) {
      return DELETE;
    }
    return READ;
  }

  /** A rename, move or copy: the source and the target. */
  public static void transfer(Object source, Object target, boolean copy) {
    if (handler != null) {
      check(source, copy ? READ : RENAME);
      check(target, copy ? COPY : RENAME);
    }
  }

  /**
   * Marks this thread's file operations as the agent's own until {@link #loud(boolean)}.
   *
   * @return whether this call marked it (pass it to {@code loud})
   */
  public static boolean quiet() {
    int[] busy = BUSY.get();
    if (busy[0] != 0) {
      return false;
    }
    busy[0] = 1;
    return true;
  }

  /** Ends what {@link #quiet()} began, if that call marked the thread. */
  public static void loud(boolean marked) {
    if (marked) {
      BUSY.get()[0] = 0;
    }
  }

  /** Discovery's advice on a candidate method: the call began. */
  public static Object enter(int candidate, Object self, Object[] args) {
    AuditHandler current = handler;
    if (current == null) {
      return null;
    }
    int[] busy = BUSY.get();
    if (busy[0] != 0) {
      return null;
    }
    busy[0] = 1;
    try {
      return current.enter(candidate, self, args);
    } catch (RuntimeException e) {
      return null; // discovery never disturbs the service
    } finally {
      busy[0] = 0;
    }
  }

  /** Discovery's advice on a candidate method: the call ended. */
  public static void leave(Object entered) {
    AuditHandler current = handler;
    if (entered == null || current == null) {
      return;
    }
    int[] busy = BUSY.get();
    int was = busy[0];
    busy[0] = 1;
    try {
      current.leave(entered);
    } catch (RuntimeException e) {
      // discovery never disturbs the service
    } finally {
      busy[0] = was;
    }
  }
}
