package io.deeplakelock.agent;

/** A stand-in host service for the start-up tests: prints one line and exits. */
public final class HelloService {

  private HelloService() {}

  public static void main(String[] args) {
    System.out.println("hello from the service");
  }
}
