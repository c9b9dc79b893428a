package io.deeplakelock.matching.sample;

import io.deeplakelock.matching.sample.conflict.InvoiceRepo;
import io.deeplakelock.matching.sample.conflict.Ledger;
import io.deeplakelock.matching.sample.conflict.OrderRepo;

/** The host "service" of the conflict tests; prints like {@link ProbeMain}. */
public final class ConflictMain {

  private ConflictMain() {}

  public static void main(String[] args) {
    OrderRepo order = new OrderRepo();
    ProbeMain.call("OrderRepo.save", order::save);
    ProbeMain.call("OrderRepo.save body ran", () -> String.valueOf(OrderRepo.saveBodyRan));
    ProbeMain.call("OrderRepo.load", order::load);
    ProbeMain.call("OrderRepo.archive", order::archive);
    ProbeMain.call("InvoiceRepo.save", () -> new InvoiceRepo().save());
    ProbeMain.call("Ledger.peek", () -> new Ledger().peek());
    System.out.println("DONE");
  }
}
