package io.vpccni.it.ipamd;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Plugin-like clients for benchmarks: one platform thread each (a plugin is a process of its own), released
 * together by a barrier, each timing its own requests one after another.
 */
final class ConcurrentClients {

    /** One request of one client; {@code index} counts that client's requests from 0. */
    @FunctionalInterface
    interface Request {
        void send(int client, int index) throws Exception;
    }

    private ConcurrentClients() {}

    /** Runs {@code perClient} requests on each of {@code clients} threads; returns each client's latencies. */
    static List<long[]> run(int clients, int perClient, Request request) throws Exception {
        CyclicBarrier start = new CyclicBarrier(clients);
        List<Future<long[]>> running = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(clients)) {
            for (int c = 0; c < clients; c++) {
                int client = c;
                running.add(pool.submit(() -> {
                    long[] nanos = new long[perClient];
                    start.await();
                    for (int i = 0; i < perClient; i++) {
                        long t0 = System.nanoTime();
                        request.send(client, i);
                        nanos[i] = System.nanoTime() - t0;
                    }
                    return nanos;
                }));
            }
            List<long[]> out = new ArrayList<>();
            for (Future<long[]> f : running) {
                try {
                    out.add(f.get());
                } catch (ExecutionException e) {
                    throw new IllegalStateException("a client failed: " + e.getCause(), e.getCause());
                }
            }
            return out;
        }
    }
}
