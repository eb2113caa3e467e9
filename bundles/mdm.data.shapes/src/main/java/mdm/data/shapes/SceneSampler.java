package mdm.data.shapes;

import java.util.ArrayList;
import java.util.List;
import mdm.core.random.HostRandom;

/** Draws scenes uniformly from what the options allow. */
final class SceneSampler {
    private final ShapesOptions options;

    SceneSampler(ShapesOptions options) {
        this.options = options;
    }

    Scene draw(HostRandom random) {
        Background background = pick(options.backgrounds(), random);
        if (options.video()) {
            Direction direction = pick(options.directions(), random);
            return new Scene(background, List.of(item(Placement.CENTRE, random)), direction);
        }
        List<Scene.Item> items = new ArrayList<>(2);
        // always drawn, so that the fraction can change without reshuffling everything else
        boolean two = random.nextDouble() < options.twoShapeFraction();
        if (two) {
            Placement[] pair = pick(options.pairs(), random);
            items.add(item(pair[0], random));
            items.add(item(pair[1], random));
        } else {
            items.add(item(pick(options.positions(), random), random));
        }
        return new Scene(background, items, null);
    }

    private Scene.Item item(Placement position, HostRandom random) {
        return new Scene.Item(pick(options.shapes(), random), pick(options.colours(), random),
                pick(options.sizes(), random), pick(options.textures(), random), position);
    }

    private static <T> T pick(List<T> values, HostRandom random) {
        return values.get(random.nextInt(values.size()));
    }
}
