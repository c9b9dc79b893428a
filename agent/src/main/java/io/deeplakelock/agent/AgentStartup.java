package io.deeplakelock.agent;

import static net.bytebuddy.matcher.ElementMatchers.nameStartsWith;

import io.deeplakelock.lock.DaemonThreads;
import io.deeplakelock.lock.LockService;
import io.deeplakelock.rules.AgentConfig;
import io.deeplakelock.rules.RuleFile;
import io.deeplakelock.rules.RuleFileException;
import java.lang.instrument.Instrumentation;
import java.nio.file.Paths;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import net.bytebuddy.ByteBuddy;
import net.bytebuddy.agent.builder.AgentBuilder;
import net.bytebuddy.agent.builder.ResettableClassFileTransformer;
import net.bytebuddy.dynamic.scaffold.MethodGraph;
import net.bytebuddy.matcher.ElementMatcher;
import net.bytebuddy.matcher.ElementMatchers;

/**
 * Start-up, in order: put the bridge on the bootstrap class path, load the rules (a bad file stops
 * here, before ZooKeeper is contacted or any class is touched), start the ZooKeeper client (in the
 * background), plug the lock handler into the bridge, install the instrumentation.
 */
final class AgentStartup {

  /** Exit status when premain refuses to start: the same as {@code check} for an invalid file. */
  static final int EXIT_BAD_CONFIG = 2;

  private static final long UNMATCHED_WARNING_DELAY_SECONDS = 30;

  /** The agent argument with which {@code detach <pid>} attaches. */
  static final String DETACH = "--detach";

  /** The agent argument with which {@code discover <pid>} attaches. */
  static final String DISCOVER = "--discover";

  /** The agent argument with which {@code reload <pid>} attaches. */
  static final String RELOAD = "--reload";

  /** How long detach waits for guarded calls in flight before finishing in the background. */
  private static final long DETACH_WAIT_MILLIS = 30_000;

  private AgentStartup() {}

  static void start(String args, Instrumentation inst, boolean attached) {
    if (attached && DETACH.equals(args)) {
      detach();
      return;
    }
    if (attached && RELOAD.equals(args)) {
      reload();
      return;
    }
    if (attached && DISCOVER.equals(args)) {
      AuditWeaving.writeDraft();
      return;
    }
    if (RunningAgent.current() != null) {
      refuse(attached, "already running in this JVM; detach it first to load other rules");
      return;
    }
    // Until weave() returns: ByteBuddy initialises on two threads here (see quietAgentBuilder).
    String safe = byteBuddySafeProperty();
    boolean safeSet = System.getProperty(safe) == null;
    if (safeSet) {
      System.setProperty(safe, "true");
    }
    // Loads the libraries premain is about to use on a daemon thread, step by step ahead of it.
    StartupWarmup warmup = StartupWarmup.start();
    try {
      startWithWarmup(args, inst, attached, warmup);
    } finally {
      warmup.awaitByteBuddy(); // also when start-up failed: the switch stays on until it is done
      if (safeSet) {
        System.clearProperty(safe);
      }
    }
  }

  private static void startWithWarmup(
      String args, Instrumentation inst, boolean attached, StartupWarmup warmup) {
    // First, before anything can load a bridge class through this (the system) class loader.
    // This class must never assign an agent object to a bridge type: the verifier would load
    // the bridge type while linking this class, before the injection below.
    try {
      if (!BridgeInjector.alreadyInjected()) {
        BridgeInjector.inject(inst);
      }
    } catch (Exception e) {
      refuse(attached, "cannot put the bridge on the bootstrap class path: " + e);
      return;
    }
    String file = ConfigLocation.resolve(args, System::getProperty, System::getenv);
    if (file == null) {
      refuse(
          attached,
          "no rules file given: use -javaagent:deeplake-lock.jar=path/to/rules.yaml, or set -D"
              + ConfigLocation.PROPERTY
              + " or "
              + ConfigLocation.VARIABLE);
      return;
    }
    AgentConfig config;
    warmup.awaitYaml();
    try {
      config = RuleFile.load(Paths.get(file));
    } catch (RuleFileException e) {
      refuse(attached, "invalid rules file:" + System.lineSeparator() + e.getMessage());
      return;
    }
    warmup.awaitZooKeeper();
    LockService service = LockService.start(config);
    Conflicts conflicts = new Conflicts();
    GuardedCalls.install(config, service, conflicts, Paths.get("").toAbsolutePath().normalize());
    // The audit weaves with ByteBuddy too: not while the warm-up thread is still loading it.
    warmup.awaitByteBuddy();
    AuditWeaving.start(
        config,
        service,
        inst,
        Paths.get("").toAbsolutePath().normalize(),
        Paths.get(file).toAbsolutePath().normalize());
    GuardTransformer transformer = new GuardTransformer(config.rules(), conflicts);
    // At JVM start only the JDK and the agent are loaded, and no rule may match them: looking
    // through them for classes to retransform cost over a second. Attach must retransform.
    ResettableClassFileTransformer installed = weave(inst, transformer, attached);
    // Here, not in the first guarded call: that may run on a virtual thread, which class loading
    // and initialisation would pin.
    AgentClasses.initialize();

    ScheduledExecutorService watch =
        Executors.newSingleThreadScheduledExecutor(new DaemonThreads("watch"));
    AtomicReference<RunningAgent> self = new AtomicReference<>();
    UnmatchedRules unmatched = new UnmatchedRules(() -> self.get().transformer(), file);
    Thread shutdownHook =
        new Thread(
            () -> {
              watch.shutdownNow();
              unmatched.atShutdown();
              service.close(); // ends the session: this JVM's lock nodes go at once
            },
            "deeplake-lock-shutdown");
    RunningAgent agent =
        new RunningAgent(
            inst,
            Paths.get(file).toAbsolutePath().normalize(),
            config,
            conflicts,
            transformer,
            installed,
            service,
            watch,
            shutdownHook);
    self.set(agent);
    Runtime.getRuntime().addShutdownHook(shutdownHook);
    RunningAgent.register(agent);
    watch.scheduleWithFixedDelay(
        unmatched,
        UNMATCHED_WARNING_DELAY_SECONDS,
        UNMATCHED_WARNING_DELAY_SECONDS,
        TimeUnit.SECONDS);
    // Off the start-up path: the platform MBean server costs tens of milliseconds to create; after
    // a start with -javaagent only once the service loads a guarded class, or after a delay.
    Runnable registerBean = () -> watch.execute(new AgentStatus(agent)::register);
    if (attached) {
      StatusBeanRegistration.disarm();
      registerBean.run();
    } else {
      StatusBeanRegistration.arm(registerBean);
      watch.schedule(
          StatusBeanRegistration::now, StatusBeanRegistration.DELAY_SECONDS, TimeUnit.SECONDS);
    }
    agent.watchRulesFile();

    System.err.println(
        "deeplake-lock "
            + Version.get()
            + ": "
            + config.rules().size()
            + " rule(s) from "
            + file
            + ", ZooKeeper "
            + config.connect()
            + (config.namespace() != null ? "/" + config.namespace() : "")
            + " ("
            + config.security().describe()
            + "), lock root "
            + config.root()
            + " ("
            + config.protocol().name().toLowerCase(java.util.Locale.ROOT)
            + " protocol)");
  }

  /**
   * Installs the instrumentation for {@code transformer}; also used by reload. With {@code
   * retransformLoaded}, classes loaded already are woven too (attach, reload).
   *
   * <p><b>Order among agents.</b> The transformer is always registered as retransformation-capable,
   * even when nothing loaded is retransformed at start-up (an empty discovery). The JVM runs such
   * transformers after the ones that are not, so agents like JaCoCo, which record the class bytes
   * they are given, see the class file as built whatever the order of the {@code -javaagent} flags;
   * the OpenTelemetry agent registers the same way for the same reason.
   */
  static ResettableClassFileTransformer weave(
      Instrumentation inst, GuardTransformer transformer, boolean retransformLoaded) {
    AgentBuilder.RedefinitionStrategy.DiscoveryStrategy discovery =
        retransformLoaded
            ? AgentBuilder.RedefinitionStrategy.DiscoveryStrategy.SinglePass.INSTANCE
            : new AgentBuilder.RedefinitionStrategy.DiscoveryStrategy.Explicit();
    return quietAgentBuilder()
        .disableClassFormatChanges()
        .with(AgentBuilder.RedefinitionStrategy.RETRANSFORMATION)
        .with(discovery)
        .with(AgentBuilder.DescriptionStrategy.Default.POOL_FIRST)
        .with(new TypePoolCache())
        .with(new TransformLog(transformer))
        .ignore(ignored())
        .type(transformer.typeMatcher())
        .transform(transformer)
        .installOn(inst);
  }

  /**
   * An older {@code reload} command attaches with {@code --reload}. Nothing here may throw: the
   * target would print "Exception in thread Attach Listener" with a stack; the reload reports on
   * the service's stderr in one line instead.
   */
  private static void reload() {
    RunningAgent agent = RunningAgent.current();
    if (agent == null) {
      System.err.println("deeplake-lock: reload asked, but the agent is not running in this JVM");
      return;
    }
    agent.reloadReport();
  }

  private static void detach() {
    try {
      RunningAgent.detach(DETACH_WAIT_MILLIS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("deeplake-lock: detach interrupted", e);
    }
  }

  /**
   * ByteBuddy's default AgentBuilder probes {@code sun.misc.Unsafe}, which JDK 24+ reports on the
   * host's stderr at every start. We never inject classes through Unsafe, so the relocated "safe"
   * switch turns the probe off. The property lives in our own relocated namespace (no host code
   * reads it) and is removed again at once; ByteBuddy reads it only while initialising.
   */
  static AgentBuilder quietAgentBuilder() {
    String safe = byteBuddySafeProperty();
    boolean set = System.getProperty(safe) == null;
    if (set) {
      System.setProperty(safe, "true");
    }
    try {
      // Declared methods only: advice touches nothing else, and redefining a class then needs no
      // supertype's class file (some loaders define classes from memory and serve none).
      return new AgentBuilder.Default(
          new ByteBuddy().with(MethodGraph.Compiler.ForDeclaredMethods.INSTANCE));
    } finally {
      if (set) {
        System.clearProperty(safe);
      }
    }
  }

  /** ByteBuddy's relocated "safe" switch: no {@code sun.misc.Unsafe} probing while it is set. */
  private static String byteBuddySafeProperty() {
    return AgentBuilder.class.getPackage().getName().replace(".agent.builder", "") + ".safe";
  }

  /**
   * Never instrumented: the agent itself, its relocated libraries and the JDK. Name-only, so
   * matching never parses a class file (ByteBuddy's default ignore does).
   */
  static ElementMatcher<net.bytebuddy.description.type.TypeDescription> ignored() {
    return ElementMatchers.<net.bytebuddy.description.type.TypeDescription>none()
        .or(nameStartsWith("io.deeplakelock.agent."))
        .or(nameStartsWith("io.deeplakelock.audit."))
        .or(nameStartsWith("io.deeplakelock.bridge."))
        .or(nameStartsWith("io.deeplakelock.rules."))
        .or(nameStartsWith("io.deeplakelock.lock."))
        .or(nameStartsWith("io.deeplakelock.log."))
        .or(nameStartsWith("io.deeplakelock.cli."))
        .or(nameStartsWith("io.deeplakelock.shaded."))
        .or(nameStartsWith("java."))
        .or(nameStartsWith("javax."))
        .or(nameStartsWith("jdk."))
        .or(nameStartsWith("sun."))
        .or(nameStartsWith("com.sun."));
  }

  /**
   * A lock agent that silently stops locking is worse than one that does not start: at JVM start
   * the service is stopped; when attached to a running JVM, only the attach fails.
   */
  private static void refuse(boolean attached, String why) {
    String message = "deeplake-lock: " + why;
    if (attached) {
      throw new IllegalStateException(message);
    }
    System.err.println(message);
    System.err.println(
        "deeplake-lock: refusing to start the service without its dataset locks (exit status "
            + EXIT_BAD_CONFIG
            + "); fix the above, or remove the -javaagent flag");
    System.exit(EXIT_BAD_CONFIG);
  }
}
