package io.deeplakelock.matching.sample;

import io.deeplakelock.matching.sample.annotated.GuardedLedger;
import io.deeplakelock.matching.sample.annotated.Inventory;
import io.deeplakelock.matching.sample.annotated.MixedLedger;
import io.deeplakelock.matching.sample.annotated.PlainLedger;
import io.deeplakelock.matching.sample.base.BaseRepository;
import io.deeplakelock.matching.sample.base.UserRepository;
import io.deeplakelock.matching.sample.ctor.Widget;
import io.deeplakelock.matching.sample.deep.Top;
import io.deeplakelock.matching.sample.deep.a.b.Leaf;
import io.deeplakelock.matching.sample.deeper.Neighbour;
import io.deeplakelock.matching.sample.glob.Table;
import io.deeplakelock.matching.sample.overload.Codec;
import io.deeplakelock.matching.sample.statics.Datasets;
import io.deeplakelock.matching.sample.store.DatasetIndex;
import io.deeplakelock.matching.sample.store.VectorDataset;
import io.deeplakelock.matching.sample.store.sub.NestedDataset;
import io.deeplakelock.matching.sample.subtype.FileStore;
import io.deeplakelock.matching.sample.subtype.NotAStore;
import io.deeplakelock.matching.sample.subtype.Store;
import io.deeplakelock.matching.sample.subtype.SubStoreImpl;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Paths;
import java.util.concurrent.Callable;

/**
 * The host "service" of the matching tests: calls each sample method once and prints {@code label
 * -> what the method saw}, one line per call, then {@code DONE}.
 *
 * <p>Arguments: a directory of classes that is not on the class path, and the name of a {@link
 * Store} implementation in it, which is loaded by a new class loader after everything else ran.
 */
public final class ProbeMain {

  private ProbeMain() {}

  public static void main(String[] args) throws Exception {
    // Class globs.
    call("VectorDataset.write", () -> new VectorDataset().write("r"));
    call("VectorDataset.read", () -> new VectorDataset().read());
    call("DatasetIndex.write", () -> new DatasetIndex().write("r"));
    call("NestedDataset.write", () -> new NestedDataset().write("r"));
    call("deep.Top.save", () -> new Top().save());
    call("deep.a.b.Leaf.save", () -> new Leaf().save());
    call("deeper.Neighbour.save", () -> new Neighbour().save());

    // subtypesOf an interface.
    call("FileStore.put", () -> new FileStore().put("k"));
    call("FileStore.get", () -> new FileStore().get("k"));
    call("SubStoreImpl.put", () -> new SubStoreImpl().put("k"));
    Store anonymous =
        new Store() {
          @Override
          public String put(String key) {
            return Probe.held();
          }

          @Override
          public String get(String key) {
            return Probe.held();
          }
        };
    call("anonymous Store.put", () -> anonymous.put("k"));
    call("NotAStore.put", () -> new NotAStore().put("k"));

    // subtypesOf an abstract class.
    call("UserRepository.remove", () -> new UserRepository().remove("1"));
    call("UserRepository.flush (inherited)", () -> new UserRepository().flush());
    BaseRepository anonymousRepository =
        new BaseRepository() {
          @Override
          public String remove(String id) {
            return Probe.held();
          }
        };
    call("anonymous BaseRepository.remove", () -> anonymousRepository.remove("1"));

    // annotatedWith.
    call("GuardedLedger.post", () -> new GuardedLedger().post());
    call("GuardedLedger.audit", () -> new GuardedLedger().audit());
    call("MixedLedger.post", () -> new MixedLedger().post());
    call("MixedLedger.peek", () -> new MixedLedger().peek());
    call("PlainLedger.post", () -> new PlainLedger().post());
    call("Inventory.add", () -> new Inventory().add("x"));
    call("Inventory.list", () -> new Inventory().list());
    call("Inventory.drop", () -> new Inventory().drop("x"));

    // Overloads.
    Codec codec = new Codec();
    call("Codec.encode(String,byte[])", () -> codec.encode("n", new byte[0]));
    call("Codec.encode(String)", () -> codec.encode("n"));
    call("Codec.encode(String,int[])", () -> codec.encode("n", new int[0]));
    call("Codec.decode(String)", () -> codec.decode("t"));
    call("Codec.decode(byte[])", () -> codec.decode(new byte[0]));
    call("Codec.tag(String...)", () -> codec.tag("a", "b"));
    call("Codec.tag(String)", () -> codec.tag("a"));

    // Static methods, method globs, constructors.
    call("Datasets.create(String)", () -> Datasets.create("/ds/static-made"));
    call("Datasets.create(String,int)", () -> Datasets.create("/ds/static-sharded", 3));
    Table table = new Table();
    call("Table.delete", () -> table.delete());
    call("Table.deleteRow", () -> table.deleteRow(1));
    call("Table.deleteAll", () -> table.deleteAll());
    call("Table.undelete", () -> table.undelete(1));
    call("Table.isDeleted", () -> table.isDeleted(1));
    call("Widget.<clinit>", () -> Widget.SEEN_BY_STATIC_INIT);
    call("Widget.<init>", () -> new Widget().seenByConstructor);
    call("Widget.spin", () -> new Widget().spin());
    call("Widget lambda body", () -> Widget.probe().get());

    // Loaded only now, by name.
    Class<?> late = Class.forName("io.deeplakelock.matching.sample.later.LateLoaded");
    Object lateLoaded = late.getConstructor().newInstance();
    call("LateLoaded.run", () -> (String) late.getMethod("run").invoke(lateLoaded));

    // Defined only now, by another class loader, from a directory off the class path.
    try (URLClassLoader loader =
        new URLClassLoader(
            new URL[] {Paths.get(args[0]).toUri().toURL()}, ProbeMain.class.getClassLoader())) {
      Class<?> defined = loader.loadClass(args[1]);
      call(
          "runtime Store loader",
          () -> defined.getClassLoader() == loader ? "the new loader" : "another loader");
      Store store = (Store) defined.getConstructor().newInstance();
      call("runtime Store.put", () -> store.put("k"));
      call("runtime Store.get", () -> store.get("k"));
    }
    System.out.println("DONE");
  }

  /** Prints what one call saw, or how it failed. */
  static void call(String label, Callable<String> body) {
    String result;
    try {
      result = body.call();
    } catch (Exception e) {
      // Named by string: the bridge's exceptions exist only under the agent.
      result = "threw " + e.getClass().getName() + ": " + e.getMessage();
    }
    System.out.println(label + " -> " + result);
  }
}
