package mdm.spark;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import mdm.api.MdmException;
import mdm.core.runtime.EngineRuntime;
import mdm.eval.quality.QualityService;
import mdm.trainer.internal.EvalGeneration;

/**
 * The models loaded in this JVM, one per task slot: a Spark executor runs several tasks at once in one JVM
 * (local mode: all of them), so a task borrows an idle worker for its job or loads one, and gives it back.
 * Each executor core therefore loads the model once, however many tasks it runs. DJL's engine and natives
 * load once per JVM, so the runtime is shared. Static by necessity: this is the state of an executor
 * process, which Spark gives no other home; nothing here is an OSGi service.
 */
final class Workers {
    private static volatile EngineRuntime runtime;
    private static final Map<EvalJob, ConcurrentLinkedQueue<Worker>> IDLE = new ConcurrentHashMap<>();

    private Workers() {
    }

    /** A loaded model for one job, with the feature network that measures it. */
    record Worker(EvalJob job, EvalGeneration generation, QualityService quality) {
    }

    static EngineRuntime runtime() {
        if (runtime == null) {
            synchronized (Workers.class) {
                if (runtime == null) {
                    runtime = EngineRuntime.standalone();
                }
            }
        }
        return runtime;
    }

    /** An idle worker for {@code job}, or a new one (the model loaded, the request checked). */
    static Worker borrow(EvalJob job) {
        Worker w = IDLE.computeIfAbsent(job, j -> new ConcurrentLinkedQueue<>()).poll();
        if (w != null) {
            return w;
        }
        Path work = Path.of(job.work());
        EngineRuntime rt = runtime();
        QualityService quality = LocalComponents.quality(rt, work);
        return new Worker(job, EvalGeneration.open(job.request(), LocalComponents.registry(rt, quality), rt), quality);
    }

    static void giveBack(Worker w) {
        IDLE.computeIfAbsent(w.job(), j -> new ConcurrentLinkedQueue<>()).add(w);
    }

    /** Closes the idle workers of {@code job} (the driver, when the job is done). */
    static int release(EvalJob job) {
        ConcurrentLinkedQueue<Worker> q = IDLE.remove(job);
        int n = 0;
        if (q != null) {
            for (Worker w : q) {
                try {
                    w.generation().close();
                } catch (RuntimeException e) {
                    throw new MdmException("cannot release a worker: " + e.getMessage(), e);
                }
                n++;
            }
        }
        return n;
    }
}
