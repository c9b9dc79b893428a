package io.deeplakelock.loaders.app.api;

import java.util.List;

/**
 * A library interface of the loader ITs' service, shipped in a jar of its own: a {@code subtypesOf}
 * rule names it, so matching must read its class file through the application's loader.
 */
public interface Searchable {

  /** The rows that contain {@code query}, with what the call saw of its lock. */
  List<String> search(String query);
}
