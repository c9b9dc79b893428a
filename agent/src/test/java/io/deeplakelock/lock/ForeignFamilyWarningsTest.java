package io.deeplakelock.lock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Unit tests for {@link ForeignFamilyWarnings}. */
class ForeignFamilyWarningsTest {

  private static final String CURATOR_WRITE =
      "_c_0f7d3c55-8d0e-4c9b-a7a3-1bd4a5f5b0a1-__WRIT__0000000001";
  private static final String KAZOO_WRITE = "6a1f2c3d4e5f__lock__0000000002";

  private final List<String> lines = new ArrayList<>();
  private final ForeignFamilyWarnings curatorAgent = new ForeignFamilyWarnings(false, lines::add);

  @Test
  void warnsOncePerPathWhenTheOtherFamilyQueues() {
    curatorAgent.queue(
        "/deeplake/a", LockNodeName.queue(Arrays.asList(CURATOR_WRITE, KAZOO_WRITE)));
    curatorAgent.queue("/deeplake/a", LockNodeName.queue(Arrays.asList(KAZOO_WRITE)));

    assertEquals(1, lines.size(), lines.toString());
    assertEquals(
        "lock path /deeplake/a also has kazoo-style lock nodes ("
            + KAZOO_WRITE
            + "); they are queued together with ours",
        lines.get(0));
  }

  @Test
  void saysNothingOfItsOwnFamily() {
    curatorAgent.queue("/deeplake/a", LockNodeName.queue(Arrays.asList(CURATOR_WRITE)));
    new ForeignFamilyWarnings(true, lines::add)
        .queue("/deeplake/b", LockNodeName.queue(Arrays.asList(KAZOO_WRITE)));

    assertEquals(0, lines.size(), lines.toString());
  }

  /**
   * A service that meets mixed queues on ever new datasets (one lock path each) must not keep every
   * path it has warned about for the rest of its life, nor print a line per dataset without end.
   */
  @Test
  void manyPathsKeepMemoryAndTheLogBounded() {
    List<LockNodeName.Contender> mixed = LockNodeName.queue(Arrays.asList(KAZOO_WRITE));
    int paths = 20 * ForeignFamilyWarnings.MAX_PATHS;
    for (int i = 0; i < paths; i++) {
      curatorAgent.queue("/deeplake/dataset-" + i, mixed);
    }

    assertTrue(
        curatorAgent.remembered() <= ForeignFamilyWarnings.MAX_PATHS,
        "remembers " + curatorAgent.remembered() + " paths");
    assertEquals(ForeignFamilyWarnings.MAX_PATHS + 1, lines.size());
    assertEquals(
        "lock paths beyond these "
            + ForeignFamilyWarnings.MAX_PATHS
            + " also have kazoo-style lock nodes queued together with ours; not reported one by one",
        lines.get(lines.size() - 1));
  }
}
