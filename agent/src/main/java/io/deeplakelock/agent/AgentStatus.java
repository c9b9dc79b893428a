package io.deeplakelock.agent;

import io.deeplakelock.lock.DatasetLock;
import io.deeplakelock.lock.LockCounters;
import io.deeplakelock.lock.LockPath;
import io.deeplakelock.lock.LockService;
import io.deeplakelock.rules.AgentConfig;
import io.deeplakelock.rules.Rule;
import io.deeplakelock.rules.RuleFile;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running agent's {@link AgentStatusMXBean}, registered as {@code deeplake.lock:type=Agent}.
 */
final class AgentStatus implements AgentStatusMXBean {

  static final String OBJECT_NAME = "deeplake.lock:type=Agent";
  private static final Logger log = LoggerFactory.getLogger(AgentStatus.class);

  private final RunningAgent agent;
  private final AgentConfig config; // zookeeper and locks settings, fixed until restart
  private final LockService service;

  AgentStatus(RunningAgent agent) {
    this.agent = agent;
    this.config = agent.config();
    this.service = agent.service();
  }

  /** Registers the bean, replacing one left by an earlier attach; failures only log. */
  void register() {
    try {
      MBeanServer server = ManagementFactory.getPlatformMBeanServer();
      ObjectName name = new ObjectName(OBJECT_NAME);
      if (server.isRegistered(name)) {
        server.unregisterMBean(name);
      }
      server.registerMBean(this, name);
    } catch (JMException | RuntimeException e) {
      log.warn("could not register the JMX bean {}: {}", OBJECT_NAME, e.toString());
    }
  }

  static void unregister() {
    try {
      MBeanServer server = ManagementFactory.getPlatformMBeanServer();
      ObjectName name = new ObjectName(OBJECT_NAME);
      if (server.isRegistered(name)) {
        server.unregisterMBean(name);
      }
    } catch (JMException | RuntimeException e) {
      log.debug("could not unregister {}: {}", OBJECT_NAME, e.toString());
    }
  }

  @Override
  public List<String> reload() {
    return agent.reloadReport();
  }

  @Override
  public String getVersion() {
    return Version.get();
  }

  @Override
  public String getRulesFile() {
    return agent.rulesFile().toString();
  }

  @Override
  public String getZooKeeper() {
    return config.connect() + (config.namespace() != null ? "/" + config.namespace() : "");
  }

  @Override
  public String getSecurity() {
    return config.security().describe();
  }

  @Override
  public String getConnectionState() {
    return service.connectionState();
  }

  @Override
  public List<String> getRules() {
    List<String> out = new ArrayList<>();
    GuardTransformer transformer = agent.transformer();
    for (Rule rule : transformer.rules()) {
      out.add(
          rule.name()
              + ": "
              + (rule.rollout() == io.deeplakelock.rules.RolloutMode.ENFORCE
                  ? ""
                  : "[" + rule.rollout().label() + "] ")
              + RuleFile.lockLabel(rule)
              + " for "
              + rule.classSelector()
              + " "
              + rule.methods()
              + (transformer.matchedRules().contains(rule.name()) ? "" : " (matched nothing yet)"));
    }
    return out;
  }

  @Override
  public int getInstrumentedMethods() {
    return agent.transformer().instrumentedMethods();
  }

  @Override
  public int getCallsInFlight() {
    return service.callsInFlight();
  }

  @Override
  public long getLocksLost() {
    return service.lostLocks();
  }

  @Override
  public List<String> getAudit() {
    return AuditWeaving.statusLines();
  }

  @Override
  public List<JmxLockStatus> getLocks() {
    List<JmxLockStatus> out = new ArrayList<>();
    for (Map.Entry<String, DatasetLock> e : new TreeMap<>(service.locks()).entrySet()) {
      LockCounters s = e.getValue().stats();
      out.add(
          new JmxLockStatus(
              e.getKey(),
              datasetOf(e.getKey()),
              s.acquisitions(),
              s.waited(),
              s.timeouts(),
              s.lost(),
              s.lastToken(),
              s.waitMillis(0.5),
              s.waitMillis(0.99),
              s.holdMillis(0.5),
              s.holdMillis(0.99),
              e.getValue().holders(),
              e.getValue().waiters(),
              s.observed(),
              s.wouldWait(),
              s.lastBlocker(),
              s.shadowed()));
    }
    return out;
  }

  private String datasetOf(String lockPath) {
    String prefix = config.root() + "/";
    if (!lockPath.startsWith(prefix)) {
      return "";
    }
    try {
      return LockPath.decode(lockPath.substring(prefix.length()));
    } catch (IllegalArgumentException e) {
      return "";
    }
  }
}
