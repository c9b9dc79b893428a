package io.deeplakelock.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.deeplakelock.auditsample.Job;
import io.deeplakelock.auditsample.Store;
import java.io.File;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Arrays;
import java.util.Collections;
import org.junit.jupiter.api.Test;

/** Unit tests for {@link ExpressionFinder}. */
class ExpressionFinderTest {

  private static final Path WD = Paths.get("/srv/app");
  private final DatasetDirs dirs = new DatasetDirs(WD, Collections.<String>emptyList());
  private final ExpressionFinder finder = new ExpressionFinder(v -> dirs.canonical(new File(v)));

  @Test
  void argumentsFirstThenFieldsThenGetters() {
    assertEquals(
        Arrays.asList("arg1", "this.path", "this.root", "this.getPath()"),
        finder.find(new Store(), new Object[] {"x", "./ds", 7}, "/srv/app/ds"));
  }

  @Test
  void aStaticMethodHasOnlyItsArguments() {
    assertEquals(
        Arrays.asList("arg0"), finder.find(null, new Object[] {Paths.get("ds")}, "/srv/app/ds"));
  }

  @Test
  void anArgumentsFieldsCountOneLevelDown() {
    assertEquals(
        Arrays.asList("arg0.target"), finder.find(null, new Object[] {new Job()}, "/srv/app/ds"));
  }

  @Test
  void nothingMatchesAnotherDataset() {
    assertEquals(
        Collections.emptyList(), finder.find(new Store(), new Object[] {"ds"}, "/srv/app/ds2"));
  }
}
