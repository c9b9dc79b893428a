package io.deeplakelock.auditsample;

import java.nio.file.Path;
import java.nio.file.Paths;

/** A receiver like the test-app's Dataset, outside the agent's packages (discovery skips those). */
public final class Store {
  private final String path = "ds/";
  private final Path root = Paths.get("/srv/app/ds");
  private final String name = "other";
  private final int rows = 3;

  public String getPath() {
    return path;
  }

  public String getName() {
    return name;
  }

  public int getRows() {
    return rows;
  }

  @Override
  public String toString() {
    return root.toString();
  }
}
