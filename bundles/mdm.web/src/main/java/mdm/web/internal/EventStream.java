package mdm.web.internal;

import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import mdm.api.train.Job;
import mdm.api.train.Progress;
import mdm.api.train.ProgressListener;

/**
 * A job's progress as Server-Sent Events: {@code progress} with the job's state on every change
 * (at most {@value #PER_SECOND} a second: listeners run on the training thread and only signal),
 * a comment every {@value #KEEP_ALIVE_SECONDS} s to keep the connection open, and {@code end} when
 * the job has finished. Streams are few and bounded: each holds a server thread.
 */
final class EventStream {
    static final int PER_SECOND = 4;
    static final int KEEP_ALIVE_SECONDS = 15;
    private static final Object TICK = new Object();
    private static final Object END = new Object();

    private final int max;
    private final AtomicInteger open = new AtomicInteger();
    private final Set<LinkedBlockingQueue<Object>> queues = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    EventStream(int max) {
        this.max = max;
    }

    /** Streams until the job ends, the client goes away or the dashboard stops. */
    void stream(Job job, Function<Job, Object> json, HttpServletResponse resp) {
        if (open.incrementAndGet() > max) {
            open.decrementAndGet();
            throw new WebError(429, "too many open event streams (" + max + "); close a job page or poll "
                    + "GET /api/jobs/" + job.id());
        }
        LinkedBlockingQueue<Object> queue = new LinkedBlockingQueue<>();
        ProgressListener listener = new ProgressListener() {
            @Override
            public void onProgress(Job j, Progress p) {
                queue.offer(TICK);
            }

            @Override
            public void onFinished(Job j) {
                queue.offer(END);
            }
        };
        queues.add(queue);
        job.addListener(listener);
        try {
            resp.setStatus(200);
            resp.setContentType("text/event-stream;charset=utf-8");
            resp.setHeader("Cache-Control", "no-store");
            ServletOutputStream out = resp.getOutputStream();
            send(out, "progress", json.apply(job));
            long last = System.nanoTime();
            while (!closed) {
                if (job.state().finished()) {
                    send(out, "progress", json.apply(job));
                    send(out, "end", json.apply(job));
                    return;
                }
                Object event = queue.poll(KEEP_ALIVE_SECONDS, TimeUnit.SECONDS);
                if (event == null) {
                    out.write(": keep-alive\n\n".getBytes(StandardCharsets.UTF_8));
                    out.flush();
                    continue;
                }
                long wait = 1000 / PER_SECOND - (System.nanoTime() - last) / 1_000_000;
                if (wait > 0 && event != END) {
                    Thread.sleep(wait);
                }
                queue.clear(); // what happened meanwhile is in the job's state now
                send(out, "progress", json.apply(job));
                last = System.nanoTime();
            }
        } catch (IOException e) {
            // the client went away (closed the page): nothing to tell anyone
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            job.removeListener(listener);
            queues.remove(queue);
            open.decrementAndGet();
        }
    }

    private static void send(ServletOutputStream out, String event, Object data) throws IOException {
        String text = "event: " + event + "\ndata: " + Json.MAPPER.writeValueAsString(data) + "\n\n";
        out.write(text.getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    int open() {
        return open.get();
    }

    /** Ends every stream (the dashboard is going away). */
    void close() {
        closed = true;
        queues.forEach(q -> q.offer(END));
    }
}
