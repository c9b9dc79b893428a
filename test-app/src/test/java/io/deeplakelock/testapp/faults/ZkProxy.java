package io.deeplakelock.testapp.faults;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A loopback TCP proxy in front of every server of the ensemble, for one child process, so the test
 * can cut that child off without touching the others.
 *
 * <p>{@link #holdReplies()} stops forwarding what the servers send while still forwarding what the
 * client sends: the client hears nothing, gives up on its connection and, once its session timeout
 * has passed without a reply, its ZooKeeper client declares the session expired (Curator: LOST),
 * while the servers keep receiving its reconnection attempts and so keep the session, and its
 * ephemeral nodes, until their own timeout runs out after the client stops trying. That is a
 * session expiry seen from the client side only.
 */
final class ZkProxy implements AutoCloseable {
  private static final int BUFFER = 8192;
  private static final int CONNECT_TIMEOUT_MS = 1000;

  private final String name;
  private final List<ServerSocket> listeners = new ArrayList<>();
  private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
  private final Object gate = new Object();
  private boolean repliesHeld;
  private boolean requestsHeld;
  private volatile boolean closed;

  ZkProxy(String name, List<Integer> serverPorts) throws IOException {
    this.name = name;
    InetAddress loopback = InetAddress.getLoopbackAddress();
    for (int port : serverPorts) {
      ServerSocket listener = new ServerSocket(0, 50, loopback);
      listeners.add(listener);
      start(name + "-accept-" + port, () -> accept(listener, port));
    }
  }

  /** The connect string a child uses instead of the ensemble's. */
  String connectString() {
    StringBuilder connect = new StringBuilder();
    for (ServerSocket listener : listeners) {
      connect.append(connect.length() == 0 ? "" : ",").append("127.0.0.1:");
      connect.append(listener.getLocalPort());
    }
    return connect.toString();
  }

  /** Stops forwarding server-to-client bytes (they wait in the proxy) on every connection. */
  void holdReplies() {
    synchronized (gate) {
      repliesHeld = true;
    }
  }

  /** Stops forwarding in both directions: a network partition between the child and ZooKeeper. */
  void partition() {
    synchronized (gate) {
      repliesHeld = true;
      requestsHeld = true;
    }
  }

  /** Forwards in both directions again. */
  void releaseReplies() {
    synchronized (gate) {
      repliesHeld = false;
      requestsHeld = false;
      gate.notifyAll();
    }
  }

  private void accept(ServerSocket listener, int port) {
    while (!closed) {
      Socket client;
      try {
        client = listener.accept();
      } catch (IOException e) {
        return; // closed
      }
      Socket server = new Socket();
      try {
        server.connect(
            new InetSocketAddress(InetAddress.getLoopbackAddress(), port), CONNECT_TIMEOUT_MS);
      } catch (IOException e) {
        // The server is down: the client sees its connection closed and tries the next one.
        closeQuietly(client);
        closeQuietly(server);
        continue;
      }
      sockets.add(client);
      sockets.add(server);
      start(name + "-up-" + port, () -> pump(client, server, false));
      start(name + "-down-" + port, () -> pump(server, client, true));
    }
  }

  private void pump(Socket from, Socket to, boolean reply) {
    byte[] buffer = new byte[BUFFER];
    try {
      InputStream in = from.getInputStream();
      OutputStream out = to.getOutputStream();
      for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
        awaitForwarding(reply);
        out.write(buffer, 0, n);
        out.flush();
      }
    } catch (IOException e) {
      // Either side closed: close both, as a real connection would end.
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      closeQuietly(from);
      closeQuietly(to);
      sockets.remove(from);
      sockets.remove(to);
    }
  }

  private void awaitForwarding(boolean reply) throws InterruptedException {
    synchronized (gate) {
      while ((reply ? repliesHeld : requestsHeld) && !closed) {
        gate.wait();
      }
    }
  }

  private static void start(String threadName, Runnable task) {
    Thread thread = new Thread(task, threadName);
    thread.setDaemon(true);
    thread.start();
  }

  private static void closeQuietly(Socket socket) {
    try {
      socket.close();
    } catch (IOException e) {
      // already closed
    }
  }

  @Override
  public void close() {
    closed = true;
    releaseReplies();
    for (ServerSocket listener : listeners) {
      try {
        listener.close();
      } catch (IOException e) {
        // already closed
      }
    }
    for (Socket socket : sockets) {
      closeQuietly(socket);
    }
  }
}
