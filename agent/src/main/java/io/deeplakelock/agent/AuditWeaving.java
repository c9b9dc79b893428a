package io.deeplakelock.agent;

import static net.bytebuddy.matcher.ElementMatchers.is;
import static net.bytebuddy.matcher.ElementMatchers.isAbstract;
import static net.bytebuddy.matcher.ElementMatchers.isConstructor;
import static net.bytebuddy.matcher.ElementMatchers.isPublic;
import static net.bytebuddy.matcher.ElementMatchers.isSubTypeOf;
import static net.bytebuddy.matcher.ElementMatchers.nameStartsWith;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.namedOneOf;
import static net.bytebuddy.matcher.ElementMatchers.not;
import static net.bytebuddy.matcher.ElementMatchers.takesArgument;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import io.deeplakelock.audit.AuditCheck;
import io.deeplakelock.audit.DatasetDirs;
import io.deeplakelock.audit.DatasetListener;
import io.deeplakelock.audit.Discovery;
import io.deeplakelock.audit.DraftRules;
import io.deeplakelock.bridge.AuditBridge;
import io.deeplakelock.bridge.LockMode;
import io.deeplakelock.lock.DaemonThreads;
import io.deeplakelock.lock.LockPath;
import io.deeplakelock.lock.LockService;
import io.deeplakelock.rules.AgentConfig;
import io.deeplakelock.rules.RolloutMode;
import io.deeplakelock.rules.Rule;
import java.io.File;
import java.io.IOException;
import java.lang.instrument.Instrumentation;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.spi.FileSystemProvider;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicReference;
import net.bytebuddy.agent.builder.AgentBuilder;
import net.bytebuddy.agent.builder.ResettableClassFileTransformer;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.asm.AsmVisitorWrapper;
import net.bytebuddy.description.method.MethodDescription;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.dynamic.DynamicType;
import net.bytebuddy.matcher.ElementMatcher;
import net.bytebuddy.utility.JavaModule;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Weaves {@link FileAdvice} into the JDK's file entry points, for the audit and for discovery. Only
 * called when the rules file turns one of them on: with {@code audit.mode: off} no JDK class is
 * touched.
 *
 * <p>The classes are loaded already and live in {@code java.base}: they are retransformed (no
 * change to their shape, so nothing but method bodies differs), and {@code java.base} is given a
 * read edge to the bootstrap loader's unnamed module, where the bridge is.
 *
 * <p><b>Why one class of just over 400 lines.</b> It is the audit's whole wiring into the JVM (the
 * enforcing check, discover's two passes, the draft command and status): each part is short, and
 * all of them install into the same bridge and ByteBuddy builder.
 */
final class AuditWeaving {

  /** The installed handler when it watches locked datasets, for the guarded calls to tell it. */
  private static volatile DatasetListener listener;

  private static final Logger log = LoggerFactory.getLogger(AuditWeaving.class);

  private AuditWeaving() {}

  /**
   * Plugs the audit (or, in {@code mode: discover}, discovery) into the bridge and weaves the JDK's
   * file classes; does nothing when the rules file watches no files.
   */
  static void start(
      AgentConfig config,
      LockService service,
      Instrumentation inst,
      Path workingDirectory,
      Path rulesFile) {
    if (!config.watchesFiles()) {
      return;
    }
    DatasetDirs dirs = new DatasetDirs(workingDirectory, config.audit().roots());
    if (config.discovering()) {
      discover(config, dirs, inst, workingDirectory, rulesFile);
      return;
    }
    List<String> fixedPaths = new ArrayList<>();
    boolean checkReads = false;
    for (Rule rule : config.rules()) {
      if (rule.rollout() == RolloutMode.ENFORCE && rule.lockPath() != null) {
        fixedPaths.add(rule.lockPath());
      }
      checkReads |= rule.mode() == LockMode.READ && rule.takesLock();
    }
    AuditCheck check =
        new AuditCheck(
            config.audit(),
            dirs,
            dataset -> LockPath.forDataset(config.root(), dataset, workingDirectory),
            lockPath -> service.frames().modeHeld(lockPath),
            fixedPaths,
            checkReads,
            System::nanoTime);
    listener = check;
    AuditBridge.install(check);
    install(inst);
  }

  /**
   * {@code mode: discover}: plugs in {@link Discovery}, weaves the JDK's file classes, and prepares
   * the second pass, which instruments each service method the first time it touches a dataset
   * file. The draft is written at shutdown and on {@code discover <pid>}.
   */
  private static void discover(
      AgentConfig config,
      DatasetDirs dirs,
      Instrumentation inst,
      Path workingDirectory,
      Path rulesFile) {
    Map<String, Set<String>> wanted = new ConcurrentHashMap<>();
    ExecutorService second = Executors.newSingleThreadExecutor(new DaemonThreads("discover"));
    AtomicReference<Discovery> self = new AtomicReference<>();
    Discovery discovery =
        new Discovery(
            dirs,
            config.audit().roots(),
            ManagementFactory.getRuntimeMXBean().getName(),
            value -> {
              try {
                return LockPath.canonical(value, workingDirectory);
              } catch (IllegalArgumentException e) {
                return null;
              }
            },
            (className, method) ->
                second.execute(() -> instrumentCandidate(inst, wanted, className, method)));
    self.set(discovery);
    Path draft = workingDirectory.resolve(config.audit().draft());
    draftTarget = new Draft(draft, rulesFile);
    boolean quiet = AuditBridge.quiet();
    try {
      for (String[] earlier : Discovery.earlierMethods(draft)) {
        wanted.computeIfAbsent(earlier[0], k -> ConcurrentHashMap.newKeySet()).add(earlier[1]);
      }
    } finally {
      AuditBridge.loud(quiet);
    }
    AuditBridge.install(discovery);
    AgentStartup.quietAgentBuilder()
        .disableClassFormatChanges()
        .with(AgentBuilder.RedefinitionStrategy.RETRANSFORMATION)
        .with(AgentBuilder.DescriptionStrategy.Default.HYBRID)
        .with(AgentBuilder.InitializationStrategy.NoOp.INSTANCE)
        .ignore(AgentStartup.ignored())
        .type((type, loader, module, redefined, domain) -> wanted.containsKey(type.getName()))
        .transform(
            (builder, type, loader, module, domain) -> {
              Set<String> methods = wanted.get(type.getName());
              DynamicType.Builder<?> out = builder;
              for (MethodDescription.InDefinedShape m : type.getDeclaredMethods()) {
                if (methods == null
                    || !methods.contains(m.getName())
                    || !m.isMethod()
                    || m.isAbstract()
                    || m.isNative()
                    || m.isBridge()) {
                  continue;
                }
                int overloads = 0;
                for (MethodDescription.InDefinedShape other : type.getDeclaredMethods()) {
                  overloads += other.getName().equals(m.getName()) && !other.isBridge() ? 1 : 0;
                }
                List<String> parameters = new ArrayList<>();
                for (TypeDescription p : m.getParameters().asTypeList().asErasures()) {
                  parameters.add(p.getActualName());
                }
                int id =
                    self.get()
                        .register(
                            type.getName(),
                            m.getName(),
                            m.getDescriptor(),
                            String.join(",", parameters),
                            overloads);
                out =
                    out.visit(
                        Advice.withCustomMapping()
                            .bind(CandidateId.class, id)
                            .to(CandidateAdvice.class)
                            .on(is(m)));
              }
              return out;
            })
        .installOn(inst);
    install(inst);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(AuditWeaving::writeDraftQuietly, "deeplake-lock-discover-draft"));
  }

  /** Where the draft goes and which rules file it keeps the zookeeper and locks sections of. */
  private static final class Draft {
    final Path file;
    final Path rulesFile;

    Draft(Path file, Path rulesFile) {
      this.file = file;
      this.rulesFile = rulesFile;
    }
  }

  private static volatile Draft draftTarget;

  private static void instrumentCandidate(
      Instrumentation inst, Map<String, Set<String>> wanted, String className, String method) {
    wanted.computeIfAbsent(className, k -> ConcurrentHashMap.newKeySet()).add(method);
    for (Class<?> loaded : inst.getAllLoadedClasses()) {
      if (loaded.getName().equals(className) && inst.isModifiableClass(loaded)) {
        try {
          inst.retransformClasses(loaded);
        } catch (Exception | LinkageError e) {
          log.warn(
              "discover: cannot instrument {}.{} to find its dataset expression: {}",
              className,
              method,
              e.toString());
        }
      }
    }
  }

  /** Writes discovery's draft now; for {@code discover <pid>}. */
  static void writeDraft() {
    Object handler = AuditBridge.handler();
    Draft target = draftTarget;
    if (!(handler instanceof Discovery) || target == null) {
      throw new IllegalStateException(
          "deeplake-lock: this JVM's rules file is not in mode: discover; nothing to draft");
    }
    boolean quiet = AuditBridge.quiet();
    try {
      String rulesText = new String(Files.readAllBytes(target.rulesFile), StandardCharsets.UTF_8);
      System.err.println(
          "deeplake-lock: " + DraftRules.write((Discovery) handler, target.file, rulesText));
    } catch (IOException e) {
      throw new IllegalStateException(
          "deeplake-lock: discover could not write " + target.file + ": " + e, e);
    } finally {
      AuditBridge.loud(quiet);
    }
  }

  private static void writeDraftQuietly() {
    try {
      writeDraft();
    } catch (RuntimeException e) {
      log.error("{}", e.getMessage());
    }
  }

  /** The audit's findings for {@code status} and JMX; empty when the audit is off. */
  static List<String> statusLines() {
    Object handler = AuditBridge.handler();
    return handler instanceof AuditCheck
        ? ((AuditCheck) handler).statusLines()
        : java.util.Collections.<String>emptyList();
  }

  /** Tells the audit that a guarded call locked {@code dataset}: it watches it from now on. */
  static void datasetLocked(String dataset) {
    // No type check here: resolving one on the first guarded calls, on virtual threads, pinned
    // their carriers (VirtualThreadPinningIT). With the audit off this reads null and stops.
    DatasetListener l = listener;
    if (l != null && AuditBridge.handler() == l) {
      l.datasetLocked(dataset);
    }
  }

  /** Retransforms the JDK's file classes. */
  static ResettableClassFileTransformer install(Instrumentation inst) {
    AgentBuilder builder =
        AgentStartup.quietAgentBuilder()
            .disableClassFormatChanges()
            .with(AgentBuilder.RedefinitionStrategy.RETRANSFORMATION)
            .with(AgentBuilder.DescriptionStrategy.Default.HYBRID)
            .with(AgentBuilder.InitializationStrategy.NoOp.INSTANCE)
            .with(new Failures())
            // The default ignores the bootstrap loader, which is where these classes are.
            .ignore(nameStartsWith("io.deeplakelock."))
            .assureReadEdgeTo(inst, AuditBridge.class);
    return builder
        .type(named("java.io.File"))
        .transform(
            visit(
                op(FileAdvice.OnFile.class, AuditBridge.DELETE)
                    .on(named("delete").and(takesArguments(0))),
                op(FileAdvice.OnFile.class, AuditBridge.CREATE)
                    .on(named("createNewFile").and(takesArguments(0))),
                op(FileAdvice.OnFile.class, AuditBridge.MKDIR)
                    .on(named("mkdir").and(takesArguments(0))),
                Advice.to(FileAdvice.RenameFile.class)
                    .on(named("renameTo").and(takesArguments(File.class)))))
        .type(named("java.io.FileOutputStream"))
        .transform(
            visit(
                Advice.to(FileAdvice.Output.class)
                    .on(isConstructor().and(takesArguments(File.class, boolean.class)))))
        .type(named("java.io.FileInputStream"))
        .transform(
            visit(
                Advice.to(FileAdvice.Input.class)
                    .on(isConstructor().and(takesArguments(File.class)))))
        .type(named("java.io.RandomAccessFile"))
        .transform(
            visit(
                Advice.to(FileAdvice.RandomAccess.class)
                    .on(
                        isConstructor()
                            .and(isPublic())
                            .and(takesArguments(File.class, String.class)))))
        .type(nameStartsWith("sun.nio.fs.").and(isSubTypeOf(FileSystemProvider.class)))
        .transform(
            visit(
                Advice.to(FileAdvice.Open.class)
                    .on(
                        concrete(
                            namedOneOf(
                                    "newByteChannel",
                                    "newFileChannel",
                                    "newAsynchronousFileChannel")
                                .and(takesArgument(0, Path.class))
                                .and(takesArgument(1, Set.class)))),
                op(FileAdvice.OnPath.class, AuditBridge.DELETE)
                    .on(
                        concrete(
                            namedOneOf("delete", "deleteIfExists")
                                .and(takesArguments(Path.class)))),
                op(FileAdvice.OnPath.class, AuditBridge.MKDIR)
                    .on(concrete(named("createDirectory").and(takesArgument(0, Path.class)))),
                op(FileAdvice.OnPath.class, AuditBridge.CREATE)
                    .on(
                        concrete(
                            namedOneOf("createSymbolicLink", "createLink")
                                .and(takesArgument(0, Path.class)))),
                op(FileAdvice.Transfer.class, 1)
                    .on(
                        concrete(
                            named("copy")
                                .and(takesArguments(3))
                                .and(takesArgument(0, Path.class))
                                .and(takesArgument(1, Path.class)))),
                op(FileAdvice.Transfer.class, 0)
                    .on(
                        concrete(
                            named("move")
                                .and(takesArguments(3))
                                .and(takesArgument(0, Path.class))
                                .and(takesArgument(1, Path.class))))))
        .installOn(inst);
  }

  private static ElementMatcher.Junction<MethodDescription> concrete(
      ElementMatcher.Junction<MethodDescription> methods) {
    return methods.and(not(isAbstract()));
  }

  private static Advice op(Class<?> advice, int operation) {
    return Advice.withCustomMapping().bind(AuditOp.class, operation).to(advice);
  }

  private static AgentBuilder.Transformer visit(AsmVisitorWrapper... wrappers) {
    return (builder, type, loader, module, domain) -> {
      DynamicType.Builder<?> out = builder;
      for (AsmVisitorWrapper wrapper : wrappers) {
        out = out.visit(wrapper);
      }
      return out;
    };
  }

  /** A JDK file class that cannot be woven leaves the audit blind to it: never silently. */
  private static final class Failures extends AgentBuilder.Listener.Adapter {
    @Override
    public void onTransformation(
        TypeDescription type,
        ClassLoader loader,
        JavaModule module,
        boolean loaded,
        DynamicType dynamicType) {
      log.debug("audit: instrumented {}", type.getName());
    }

    @Override
    public void onError(
        String typeName, ClassLoader loader, JavaModule module, boolean loaded, Throwable error) {
      log.error(
          "audit: could not instrument {}: the audit does not see the file operations it makes",
          typeName,
          error);
    }
  }
}
