package io.deeplakelock.testapp.dataset;

/** The columns ("tensors") of a dataset, each a directory of chunk files. */
enum Column {
  TEXT("text"),
  METADATA("metadata"),
  EMBEDDING("embedding"),
  DELETED("deleted");

  private final String directory;

  Column(String directory) {
    this.directory = directory;
  }

  /** The directory, relative to the dataset root, that holds this column's chunks. */
  String directory() {
    return directory;
  }
}
