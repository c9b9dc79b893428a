package io.deeplakelock.lock;

import io.deeplakelock.bridge.LockMode;
import io.deeplakelock.rules.AgentConfig;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How lock nodes are named and recognised, so that Java, Python (kazoo) and Curator contenders on
 * one lock path queue together.
 *
 * <p>Our nodes are created with Curator's protection prefix ({@code _c_<uuid>-}, which lets a
 * create whose reply was lost be found again) followed by the family's marker and ZooKeeper's
 * 10-digit sequence: {@code _c_<uuid>-__lock__0000000007} (kazoo family, write), {@code __rlock__}
 * (kazoo, read), {@code __WRIT__} / {@code __READ__} (Curator family). Whatever our family, every
 * child whose name ends in any of the four markers and a sequence is a contender: contenders are
 * ordered by the sequence text, as kazoo orders them; other children are ignored.
 */
final class LockNodeName {

  private static final Pattern CONTENDER =
      Pattern.compile("(__lock__|__rlock__|__WRIT__|__READ__)(-?\\d{10})$");

  private LockNodeName() {}

  /** The name passed to a protected sequential create for {@code mode}. */
  static String prefix(AgentConfig.Protocol protocol, LockMode mode) {
    if (protocol == AgentConfig.Protocol.CURATOR) {
      return mode == LockMode.WRITE ? "__WRIT__" : "__READ__";
    }
    return mode == LockMode.WRITE ? "__lock__" : "__rlock__";
  }

  /** The contenders among a lock path's children, in queue order. */
  static List<Contender> queue(List<String> children) {
    List<Contender> queue = new ArrayList<>(children.size());
    for (String child : children) {
      Contender c = parse(child);
      if (c != null) {
        queue.add(c);
      }
    }
    Collections.sort(queue);
    return queue;
  }

  /** The queue entry a child stands for, or null when it is not a lock contender. */
  static Contender parse(String child) {
    Matcher m = CONTENDER.matcher(child);
    if (!m.find()) {
      return null;
    }
    String marker = m.group(1);
    boolean write = marker.equals("__lock__") || marker.equals("__WRIT__");
    boolean kazoo = marker.equals("__lock__") || marker.equals("__rlock__");
    return new Contender(child, m.group(2), write, kazoo);
  }

  /** One child of a lock path that takes part in the queue. */
  static final class Contender implements Comparable<Contender> {
    final String name;
    final String sequence;
    final boolean write;
    final boolean kazooFamily;

    Contender(String name, String sequence, boolean write, boolean kazooFamily) {
      this.name = name;
      this.sequence = sequence;
      this.write = write;
      this.kazooFamily = kazooFamily;
    }

    @Override
    public int compareTo(Contender other) {
      return sequence.compareTo(other.sequence);
    }
  }
}
