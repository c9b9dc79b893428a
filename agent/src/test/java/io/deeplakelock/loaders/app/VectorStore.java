package io.deeplakelock.loaders.app;

import com.google.common.base.Splitter;
import com.google.common.collect.ImmutableList;
import io.deeplakelock.loaders.app.api.Searchable;
import java.util.ArrayList;
import java.util.List;
import org.apache.curator.framework.CuratorFramework;

/**
 * The guarded class of the loader ITs' service: {@link #append} is guarded by a rule that names
 * this class, {@link #search} by a rule on {@link Searchable}'s subtypes. Both report the lock they
 * run under and read a marker node through the application's own Curator, so the test can tell
 * whether a body ran while another process held the dataset's lock.
 */
public final class VectorStore implements Searchable {

  private final String path;
  private final CuratorFramework zk;
  private final String markerNode;
  private final List<String> rows = new ArrayList<>();

  VectorStore(String path, CuratorFramework zk, String markerNode) {
    this.path = path;
    this.zk = zk;
    this.markerNode = markerNode;
  }

  /** Appends comma-separated rows; guarded by the write rule. */
  public String append(String csv) throws Exception {
    List<String> added = Splitter.on(',').trimResults().omitEmptyStrings().splitToList(csv);
    rows.addAll(added);
    return "APPENDED " + added + " marker=" + marker() + " lock=" + ServiceMain.currentLock();
  }

  @Override
  public List<String> search(String query) {
    ImmutableList.Builder<String> found = ImmutableList.builder();
    for (String row : rows) {
      if (row.contains(query)) {
        found.add(row);
      }
    }
    return found.add("lock=" + ServiceMain.currentLock()).build();
  }

  private String marker() throws Exception {
    if (zk.checkExists().forPath(markerNode) == null) {
      return "none";
    }
    return new String(zk.getData().forPath(markerNode), java.nio.charset.StandardCharsets.UTF_8);
  }
}
