package io.deeplakelock.auditsample;

/** An argument that carries its dataset one level down. */
public final class Job {
  final Store store = new Store();
  final String target = "/srv/app/ds";
}
