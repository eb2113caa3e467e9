package mdm.data.shapes;

import mdm.api.data.Sample;
import mdm.core.data.SampleSource;
import mdm.core.random.HostRandom;

/** Scene {@code n} of a seed is drawn from its own random stream, so it never depends on order or epoch. */
final class ShapesSource implements SampleSource {
    private final ShapesOptions options;
    private final SceneSampler sampler;
    private final HostRandom scenes;

    ShapesSource(ShapesOptions options, long seed) {
        this.options = options;
        this.sampler = new SceneSampler(options);
        this.scenes = new HostRandom(seed).fork("shapes:scene");
    }

    @Override
    public long size() {
        return options.epochSize();
    }

    Scene scene(long entry) {
        return sampler.draw(scenes.fork(Long.toString(entry)));
    }

    @Override
    public Sample load(long entry, HostRandom random) {
        Scene scene = scene(entry);
        int size = options.imageSize();
        int frames = options.frameCount();
        Scene.Item first = scene.items().get(0);
        return new Sample(Renderer.render(scene, size, frames), frames, 3, size, size,
                options.label(first.kind(), first.colour()), scene.caption(), "shapes:" + entry);
    }
}
