package mdm.trainer.internal;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import mdm.api.DjlRuntime;
import mdm.api.model.Backbone;
import mdm.api.model.Conditioning;
import mdm.api.model.SelfTrainedBackbone;
import mdm.core.io.StateDicts;
import mdm.core.optim.Gradients;
import mdm.core.tensor.Scalars;
import mdm.diffusion.MultiResolutionProcess;
import mdm.diffusion.TrainingDraws;
import mdm.diffusion.TrainingLoss;

/**
 * Data-parallel training over several devices: a replica of the backbone on every device after the
 * first, each micro-batch split into contiguous shards, each shard's loss differentiated on its
 * device (weighted by its share of the batch, so the sum is the full-batch mean), the replicas'
 * gradients added into the master's, and the master's updated weights copied back. The draws are
 * made for the whole batch first and sliced, so the result equals one device's up to rounding.
 * With one device it is the plain single-device step.
 */
final class DataParallel implements AutoCloseable {
    private final Backbone master;
    private final List<Device> devices;
    private final List<NDManager> managers = new ArrayList<>();
    private final List<Backbone> replicas = new ArrayList<>();

    DataParallel(List<Device> devices, StagePlan plan, Backbone master, DjlRuntime runtime, long seed) {
        this.master = master;
        this.devices = List.copyOf(devices);
        for (int i = 1; i < devices.size(); i++) {
            NDManager m = runtime.newManager(devices.get(i));
            managers.add(m);
            Backbone replica = plan.factory().create(plan.config(), m, seed);
            replicas.add(replica);
        }
        broadcast();
    }

    int size() {
        return devices.size();
    }

    /** Loss and per-level means of one micro-batch, differentiated into the replicas' gradients. */
    record Result(double total, double[] levels) {
    }

    Result backward(GradientCollector collector, MultiResolutionProcess process, NDArray images, Conditioning cond,
                    TrainingDraws draws, int diffusionSteps, List<Integer> sides, double weight, NDManager step) {
        int batch = (int) images.getShape().get(0);
        double[] levels = new double[sides.size()];
        if (master instanceof SelfTrainedBackbone own) {
            return ownObjective(collector, own, images, draws, levels.length, weight, step);
        }
        if (replicas.isEmpty()) {
            TrainingLoss loss = process.compute(images, cond, master, draws);
            collector.backward(weight == 1.0 ? loss.total() : loss.total().mul(Scalars.of(step, weight)));
            for (int l = 0; l < levels.length; l++) {
                levels[l] = loss.perLevel().get(l).mean().getFloat();
            }
            return new Result(loss.total().getFloat(), levels);
        }
        List<Shape> shapes = new ArrayList<>();
        for (int side : sides) {
            shapes.add(new Shape(batch, images.getShape().get(1), side, side));
        }
        ShardedDraws sharded = new ShardedDraws(draws, batch, diffusionSteps, shapes, step);
        double total = 0;
        int n = devices.size();
        for (int k = 0; k < n; k++) {
            int from = batch * k / n;
            int to = batch * (k + 1) / n;
            if (from == to) {
                continue;
            }
            Device device = devices.get(k);
            Backbone backbone = k == 0 ? master : replicas.get(k - 1);
            double share = (double) (to - from) / batch;
            TrainingLoss loss = process.compute(slice(images, from, to, device), slice(cond, from, to, device),
                    backbone, sharded.shard(from, to));
            NDArray objective = loss.total().mul(Scalars.of(loss.total().getManager(), share * weight));
            collector.backward(objective);
            total += loss.total().getFloat() * share;
            for (int l = 0; l < levels.length; l++) {
                levels[l] += loss.perLevel().get(l).mean().getFloat() * share;
            }
        }
        return new Result(total, levels);
    }

    /** A network with an objective of its own (an autoencoder): its loss, on one device; every level logs it. */
    private Result ownObjective(GradientCollector collector, SelfTrainedBackbone own, NDArray images, TrainingDraws draws,
                                int levels, double weight, NDManager step) {
        if (!replicas.isEmpty()) {
            throw new mdm.api.MdmException("a stage trained by its own objective (" + own.config().backbone()
                    + ") runs on one device: set training.devices to one device");
        }
        NDArray loss = own.trainingLoss(images, draws).get(SelfTrainedBackbone.LOSS);
        collector.backward(weight == 1.0 ? loss : loss.mul(Scalars.of(step, weight)));
        double value = loss.getFloat();
        double[] perLevel = new double[levels];
        java.util.Arrays.fill(perLevel, value);
        return new Result(value, perLevel);
    }

    /** Adds every replica's gradients into the master's (which {@code masterGrads} views) and clears them. */
    void gather(Map<String, NDArray> masterGrads, NDManager step) {
        for (Backbone replica : replicas) {
            Map<String, NDArray> trainable = new LinkedHashMap<>();
            masterGrads.keySet().forEach(k -> {
                NDArray p = replica.parameters().get(k);
                if (p != null) {
                    trainable.put(k, p);
                }
            });
            Map<String, NDArray> grads = Gradients.of(trainable);
            try {
                grads.forEach((k, g) -> {
                    NDArray moved = g.toDevice(masterGrads.get(k).getDevice(), true);
                    moved.attach(step);
                    masterGrads.get(k).addi(moved);
                });
                Gradients.reset(grads, step);
            } finally {
                Gradients.close(grads);
            }
        }
    }

    /** Copies the master's parameters (and which ones train) into every replica. */
    void broadcast() {
        for (Backbone replica : replicas) {
            StateDicts.loadStrict(master.parameters(), replica.parameters());
            master.parameters().forEach((k, p) -> replica.parameters().get(k).setRequiresGradient(p.hasGradient()));
        }
    }

    private static NDArray slice(NDArray x, int from, int to, Device device) {
        NDArray s = x.get(new NDIndex("{}:{}", from, to));
        return s.getDevice().equals(device) ? s : s.toDevice(device, true);
    }

    private static Conditioning slice(Conditioning c, int from, int to, Device device) {
        Map<String, NDArray> micros = new LinkedHashMap<>();
        c.micros().forEach((k, v) -> micros.put(k, slice(v, from, to, device)));
        return new Conditioning(slice(c.tokens(), from, to, device),
                c.mask() == null ? null : slice(c.mask(), from, to, device), micros);
    }

    @Override
    public void close() {
        replicas.forEach(Backbone::close);
        managers.forEach(NDManager::close);
    }
}
