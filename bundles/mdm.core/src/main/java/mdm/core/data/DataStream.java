package mdm.core.data;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import mdm.api.MdmException;
import mdm.api.data.Sample;
import mdm.api.data.SampleStream;
import mdm.api.data.StreamPosition;
import mdm.core.random.HostRandom;

/**
 * The stream every dataset returns. Epoch {@code e} visits the entries in the order of a permutation
 * drawn from {@code (seed, e)}; entry loads run on a small pool, up to {@code prefetch} ahead, and are
 * handed out in order, so the samples depend only on the seed and the position, never on timing.
 * {@link #position()} is the position of the entry {@link #next()} tries next; a stream opened there
 * continues exactly. Bad entries are skipped (and reported) or stop the stream, as configured. One
 * consumer thread calls {@code next()}.
 */
public final class DataStream implements SampleStream {
    private static final System.Logger LOG = System.getLogger(DataStream.class.getName());
    private static final int KEPT_PROBLEMS = 100;
    private static final int ENDLESS_FAILURE_LIMIT = 1000;
    private static final AtomicInteger STREAMS = new AtomicInteger();

    private final String dataset;
    private final SampleSource source;
    private final long size;
    private final LoaderOptions options;
    private final HostRandom root;
    private final ExecutorService pool;
    private final int capacity;
    private final ArrayDeque<Pending> queue = new ArrayDeque<>();
    private final Deque<String> problems = new ArrayDeque<>();

    private long submitEpoch;
    private long submitIndex;
    private int[] order;
    private long orderEpoch = -1;
    private StreamPosition position;
    private long skipped;
    private long consecutiveFailures;
    private boolean closed;

    private record Pending(long epoch, long index, long entry, Future<Sample> sample) {
    }

    /**
     * @param dataset the dataset's name, for messages and thread names
     * @param start   where to begin; {@link StreamPosition#START} for a fresh run
     */
    public DataStream(String dataset, SampleSource source, LoaderOptions options, long seed, StreamPosition start) {
        this.dataset = dataset;
        this.source = source;
        this.size = source.size();
        this.options = options;
        this.root = new HostRandom(seed).fork("data:" + dataset);
        if (size == 0) {
            throw new MdmException("dataset " + dataset + " has no entries: check its path and options.");
        }
        this.position = normalise(start);
        this.submitEpoch = position.epoch();
        this.submitIndex = position.index();
        this.capacity = options.workers() == 0 ? 1 : options.prefetch();
        if (options.workers() == 0) {
            this.pool = null;
        } else {
            int id = STREAMS.incrementAndGet();
            AtomicInteger thread = new AtomicInteger();
            ThreadPoolExecutor executor = new ThreadPoolExecutor(options.workers(), options.workers(), 30, TimeUnit.SECONDS,
                    new LinkedBlockingQueue<>(), r -> {
                        Thread t = new Thread(r, "mdm-data-" + dataset + "-" + id + "-" + thread.incrementAndGet());
                        t.setDaemon(true);
                        return t;
                    });
            // a stream nobody closed does not keep idle threads forever
            executor.allowCoreThreadTimeOut(true);
            this.pool = executor;
        }
    }

    private StreamPosition normalise(StreamPosition start) {
        if (start == null) {
            return StreamPosition.START;
        }
        if (start.epoch() < 0 || start.index() < 0) {
            throw new MdmException("bad stream position " + start + " for " + dataset + ": epoch and index must be ≥ 0.");
        }
        if (size > 0 && start.index() > size) {
            throw new MdmException("stream position " + start + " is past the end of " + dataset + " (" + size
                    + " entries per epoch): the data changed since the checkpoint was written.");
        }
        if (size < 0 && start.epoch() != 0) {
            throw new MdmException("stream position " + start + " has an epoch, but " + dataset + " is an endless generator (epoch is always 0).");
        }
        return size > 0 && start.index() == size ? new StreamPosition(start.epoch() + 1, 0) : start;
    }

    @Override
    public Sample next() {
        while (true) {
            if (closed) {
                throw new IllegalStateException("the " + dataset + " stream is closed");
            }
            fill();
            Pending p = queue.poll();
            position = after(p.epoch(), p.index());
            try {
                Sample s = p.sample().get();
                consecutiveFailures = 0;
                return s;
            } catch (ExecutionException e) {
                failed(p, e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new MdmException("interrupted while reading " + dataset, e);
            }
        }
    }

    @Override
    public StreamPosition position() {
        return position;
    }

    /** Entries skipped so far because they could not be read. */
    public long skipped() {
        return skipped;
    }

    /** What went wrong with the most recently skipped entries (up to 100), oldest first. */
    public List<String> problems() {
        return new ArrayList<>(problems);
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (Pending p : queue) {
            p.sample().cancel(true);
        }
        queue.clear();
        if (pool != null) {
            pool.shutdownNow();
        }
    }

    private void fill() {
        while (queue.size() < capacity) {
            long epoch = submitEpoch;
            long index = submitIndex;
            long entry = entryAt(epoch, index);
            HostRandom random = root.fork(epoch + "/" + entry);
            Callable<Sample> task = () -> source.load(entry, random);
            Future<Sample> future;
            if (pool == null) {
                FutureTask<Sample> now = new FutureTask<>(task);
                now.run();
                future = now;
            } else {
                future = pool.submit(task);
            }
            queue.add(new Pending(epoch, index, entry, future));
            StreamPosition nextSubmit = after(epoch, index);
            submitEpoch = nextSubmit.epoch();
            submitIndex = nextSubmit.index();
        }
    }

    private StreamPosition after(long epoch, long index) {
        return size > 0 && index + 1 >= size ? new StreamPosition(epoch + 1, 0) : new StreamPosition(epoch, index + 1);
    }

    private long entryAt(long epoch, long index) {
        if (size < 0 || !options.shuffle()) {
            return index;
        }
        if (orderEpoch != epoch) {
            if (size > Integer.MAX_VALUE) {
                throw new MdmException(dataset + " has " + size + " entries, more than a shuffle order can hold; set loader.shuffle to false.");
            }
            order = root.fork("order:" + epoch).permutation((int) size);
            orderEpoch = epoch;
        }
        return order[(int) index];
    }

    private void failed(Pending p, Throwable cause) {
        if (cause instanceof OutOfMemoryError oom) {
            throw oom; // the process is short of memory: no entry is to blame, so none is skipped
        }
        String what = cause instanceof MdmException ? cause.getMessage()
                : source.describe(p.entry()) + ": " + cause;
        String where = " (epoch " + p.epoch() + ", position " + p.index() + ")";
        if (options.onError() == ErrorPolicy.STOP) {
            throw new MdmException(dataset + ": " + what + where
                    + ". Fix or remove the entry, or set loader.on_error to skip to go on past bad entries.", cause);
        }
        skipped++;
        consecutiveFailures++;
        problems.addLast(what);
        if (problems.size() > KEPT_PROBLEMS) {
            problems.removeFirst();
        }
        LOG.log(System.Logger.Level.WARNING, dataset + ": skipped " + what + where + "; " + skipped + " skipped so far");
        long limit = size > 0 ? size : ENDLESS_FAILURE_LIMIT;
        if (consecutiveFailures >= limit) {
            throw new MdmException(dataset + ": the last " + consecutiveFailures
                    + " entries all failed, the last with: " + what + ". Check the data's path and format.", cause);
        }
    }
}
