package io.deeplakelock.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.deeplakelock.lock.LockPath;
import java.io.File;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Arrays;
import java.util.Collections;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Unit tests for {@link DatasetDirs}: which dataset directory a file belongs to. */
class DatasetDirsTest {

  private static final Path WD = Paths.get("/srv/app");

  @Test
  void aLockedDatasetCoversItsFilesInEverySpelling() {
    DatasetDirs dirs = new DatasetDirs(WD, Collections.<String>emptyList());
    assertTrue(dirs.isEmpty());
    assertTrue(dirs.learn("./data/../ds/"));
    assertFalse(dirs.learn("ds"), "the same dataset, spelled differently");
    assertEquals("/srv/app/ds", dirs.datasetOf(dirs.canonical(new File("ds/text/chunk-00000"))));
    assertEquals("/srv/app/ds", dirs.datasetOf(dirs.canonical(Paths.get("/srv/app/ds"))));
    assertEquals(
        "/srv/app/ds", dirs.datasetOf(dirs.canonical(new File("/srv/app/x/../ds/./meta"))));
    assertEquals(
        "/srv/app/ds", dirs.datasetOf(dirs.canonical(Paths.get("file-in/../ds//deleted/c"))));
    assertNull(dirs.datasetOf(dirs.canonical(new File("/srv/app/ds2/meta"))), "a sibling");
    assertNull(dirs.datasetOf(dirs.canonical(new File("/srv/app"))), "the parent");
  }

  @Test
  void datasetDirectoriesMatchTheirLockPaths() {
    DatasetDirs dirs = new DatasetDirs(WD, Collections.<String>emptyList());
    for (String spelling : Arrays.asList("ds", "./ds/", "/srv/app/ds", "file:/srv/app/ds")) {
      dirs.learn(spelling);
      String dir = dirs.datasetOf(dirs.canonical(new File("/srv/app/ds/meta")));
      assertEquals(
          LockPath.forDataset("/deeplake", spelling, WD),
          LockPath.forDataset("/deeplake", dir, WD),
          spelling);
    }
    assertEquals(1, dirs.datasets().size());
  }

  @Test
  void symbolicLinksAreNotResolvedLikeLockPaths() {
    // /srv/app/link may point at ds: lock paths keep the spelling, and so does the audit.
    DatasetDirs dirs = new DatasetDirs(WD, Collections.<String>emptyList());
    dirs.learn("/srv/app/ds");
    assertNull(dirs.datasetOf(dirs.canonical(new File("/srv/app/link/meta"))));
  }

  @Test
  void remoteDatasetsAreNotWatched() {
    DatasetDirs dirs = new DatasetDirs(WD, Collections.<String>emptyList());
    assertFalse(dirs.learn("s3://bucket/ds"));
    assertFalse(dirs.learn("hub://org/ds"));
    assertTrue(dirs.isEmpty());
  }

  @Test
  void underARootEachDirectoryIsADataset() {
    DatasetDirs dirs = new DatasetDirs(WD, Arrays.asList("data", "/mnt/sets/"));
    assertEquals(Arrays.asList("/srv/app/data", "/mnt/sets"), dirs.roots());
    assertEquals("/srv/app/data/a", dirs.datasetOf(dirs.canonical(new File("data/a/text/c"))));
    assertNull(
        dirs.datasetOf(dirs.canonical(new File("/mnt/sets/b"))),
        "directly in a root, only an existing directory is a dataset");
    assertNull(dirs.datasetOf(dirs.canonical(new File("/mnt/sets"))), "the root itself");
    assertNull(dirs.datasetOf(dirs.canonical(new File("/mnt/setsx/b"))));
  }

  @Test
  void aDatasetDirectoryDirectlyInARootIsItsOwnDataset(@TempDir Path root) throws Exception {
    java.nio.file.Files.createDirectory(root.resolve("ds"));
    java.nio.file.Files.createFile(root.resolve("notes.txt"));
    DatasetDirs dirs = new DatasetDirs(WD, Arrays.asList(root.toString()));
    assertEquals(root.resolve("ds").toString(), dirs.datasetOf(root.resolve("ds").toString()));
    assertNull(dirs.datasetOf(root.resolve("notes.txt").toString()));
  }

  @Test
  void aLearnedDatasetWinsOverTheRootsGuess() {
    DatasetDirs dirs = new DatasetDirs(WD, Arrays.asList("/mnt/sets"));
    dirs.learn("/mnt/sets/team/ds");
    assertEquals("/mnt/sets/team/ds", dirs.datasetOf("/mnt/sets/team/ds/meta"));
    assertEquals("/mnt/sets/team", dirs.datasetOf("/mnt/sets/team/other/meta"));
  }

  @Test
  void manyDatasetsAreFoundByTheirAncestors() {
    DatasetDirs dirs = new DatasetDirs(WD, Collections.<String>emptyList());
    for (int i = 0; i < 50; i++) {
      dirs.learn("/data/ds" + i);
    }
    dirs.learn("/data/ds7/nested");
    assertEquals("/data/ds7/nested", dirs.datasetOf("/data/ds7/nested/x/y"));
    assertEquals("/data/ds42", dirs.datasetOf("/data/ds42/x/y"));
    assertNull(dirs.datasetOf("/data/ds420/x"));
  }

  @Test
  void theFirstLookRulesOutCleanPathsOutsideWithoutCanonicalising() {
    DatasetDirs dirs = new DatasetDirs(WD, Arrays.asList("/mnt/sets"));
    dirs.learn("ds");
    assertFalse(dirs.mayHold(new File("/usr/lib/jvm/lib/modules")));
    assertFalse(dirs.mayHold(Paths.get("/srv/app/ds2/x")));
    assertTrue(dirs.mayHold(new File("/srv/app/ds/x")));
    assertTrue(dirs.mayHold(new File("/mnt/sets/a/x")));
    assertTrue(dirs.mayHold(new File("relative/x")), "needs the full check");
    assertFalse(new DatasetDirs(WD, Collections.<String>emptyList()).mayHold(new File("rel")));
  }

  @Test
  void cleanAbsolutePathsAreTakenAsTheyAre() {
    assertTrue(DatasetDirs.isClean("/a/b.c/d.."));
    assertFalse(DatasetDirs.isClean("/a/.hidden"), "sent to the full check, which keeps it");
    assertTrue(DatasetDirs.isClean("/"));
    assertFalse(DatasetDirs.isClean("a/b"));
    assertFalse(DatasetDirs.isClean("/a//b"));
    assertFalse(DatasetDirs.isClean("/a/./b"));
    assertFalse(DatasetDirs.isClean("/a/.."));
    assertFalse(DatasetDirs.isClean("/a/"));
  }
}
