package mdm.spark;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import mdm.api.Components;
import mdm.api.DjlRuntime;
import mdm.api.MdmException;
import mdm.api.conditioning.Conditioner;
import mdm.api.conditioning.ConditionerFactory;
import mdm.api.data.DatasetInfo;
import mdm.api.data.EmbeddingOrigin;
import mdm.core.config.Json;
import mdm.core.runtime.EngineRuntime;

/**
 * The conditioners loaded in this JVM for caption-embedding jobs, one per task slot (as {@link Workers} keeps
 * models): a task borrows an idle one or loads one, and gives it back, so each executor core loads the
 * conditioner once however many shards it embeds. Static by necessity, as the state of an executor process.
 */
final class Embedders {
    private static final Map<EmbedJob, ConcurrentLinkedQueue<Embedder>> IDLE = new ConcurrentHashMap<>();

    private Embedders() {
    }

    /** A loaded conditioner with its manager and origin. */
    record Embedder(EmbedJob job, Conditioner conditioner, NDManager manager, EmbeddingOrigin origin, DjlRuntime runtime) {
    }

    /**
     * An idle conditioner for {@code job}, or a new one: built from the options, refused when its embeddings
     * cannot be precomputed (trainable, or reading no captions).
     */
    static Embedder borrow(EmbedJob job) {
        Embedder e = IDLE.computeIfAbsent(job, j -> new ConcurrentLinkedQueue<>()).poll();
        if (e != null) {
            return e;
        }
        DjlRuntime runtime = new WorkFolder(Workers.runtime(), Path.of(job.work()));
        ConditionerFactory factory = LocalComponents.conditioners(runtime)
                .acquire(ConditionerFactory.class, Components.CONDITIONER, job.conditioner()).service();
        DatasetInfo captions = new DatasetInfo("tsv-tar", 0, 3, 1, List.of(), true, 0);
        NDManager manager = runtime.newManager();
        Conditioner conditioner;
        try {
            conditioner = factory.create(Json.parseOptions(job.optionsJson()), captions, manager, 0);
        } catch (RuntimeException x) {
            manager.close();
            throw x;
        }
        EmbeddingOrigin origin = conditioner.embeddingOrigin(job.training());
        if (origin == null) {
            String why = conditioner.parameters().isEmpty()
                    ? "it does not say what its encodings depend on (Conditioner.embeddingOrigin is null), so nothing could "
                            + "tell later whether they still match"
                    : "it is trained with the backbone (" + conditioner.parameters().size() + " trainable tensors), so its "
                            + "embeddings change at every step and precomputed ones would be stale at once";
            conditioner.close();
            manager.close();
            throw new MdmException("conditioner '" + job.conditioner() + "' cannot precompute caption embeddings: " + why
                    + ". Precompute with a frozen text conditioner such as t5; a learned-text run encodes its captions itself.");
        }
        return new Embedder(job, conditioner, manager, origin, runtime);
    }

    static void giveBack(Embedder e) {
        IDLE.computeIfAbsent(e.job(), j -> new ConcurrentLinkedQueue<>()).add(e);
    }

    /** Closes the idle conditioners of {@code job} (the driver, when the job is done); returns how many. */
    static int release(EmbedJob job) {
        ConcurrentLinkedQueue<Embedder> q = IDLE.remove(job);
        int n = 0;
        if (q != null) {
            for (Embedder e : q) {
                e.conditioner().close();
                e.manager().close();
                n++;
            }
        }
        return n;
    }

    /** The shared engine, with the job's folder as the one relative option paths resolve against. */
    private record WorkFolder(EngineRuntime engine, Path work) implements DjlRuntime {
        @Override
        public Device device() {
            return engine.device();
        }

        @Override
        public List<Device> devices() {
            return engine.devices();
        }

        @Override
        public NDManager newManager() {
            return engine.newManager();
        }

        @Override
        public NDManager newManager(Device device) {
            return engine.newManager(device);
        }

        @Override
        public String djlVersion() {
            return engine.djlVersion();
        }

        @Override
        public String engineVersion() {
            return engine.engineVersion();
        }

        @Override
        public Path workDirectory() {
            return work;
        }
    }
}
