package mdm.data.shapes;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import mdm.core.data.LoaderOptions;

/**
 * Options of the {@code shapes} dataset. Every list restricts what scenes are drawn from (uniformly);
 * omitted keys take the defaults below.
 *
 * @param imageSize        a power of two, 16..1024; default 64. Textures need ≥ 32 (their period is size/16)
 * @param shapes           default circle, square, triangle
 * @param colours          default all eight
 * @param backgrounds      default grey, white, black
 * @param sizes            default small, large
 * @param positions        default all five; two-shape scenes use left+right or top+bottom
 * @param textures         default plain, striped, dotted
 * @param twoShapeFraction share of images with two shapes (0..1); default 0.25; clips always have one
 * @param classLabel       shape, colour or shape_colour (default)
 * @param video            clips instead of images; default false
 * @param frames           frames per clip; default 16
 * @param directions       clip motions; default up, down, left, right
 * @param epochSize        −1 (default): an endless stream of fresh scenes; n: n fixed scenes, reshuffled every epoch
 */
public record ShapesOptions(
        @JsonProperty("image_size") Integer imageSize,
        List<ShapeKind> shapes,
        List<Colour> colours,
        List<Background> backgrounds,
        List<SizeClass> sizes,
        List<Placement> positions,
        List<Texture> textures,
        @JsonProperty("two_shape_fraction") Double twoShapeFraction,
        @JsonProperty("class_label") ClassLabel classLabel,
        Boolean video,
        Integer frames,
        List<Direction> directions,
        @JsonProperty("epoch_size") Long epochSize,
        LoaderOptions loader) {

    public ShapesOptions {
        imageSize = imageSize == null ? 64 : imageSize;
        shapes = orAll(shapes, ShapeKind.values(), "shapes");
        colours = orAll(colours, Colour.values(), "colours");
        backgrounds = orAll(backgrounds, Background.values(), "backgrounds");
        sizes = orAll(sizes, SizeClass.values(), "sizes");
        positions = orAll(positions, Placement.values(), "positions");
        textures = orAll(textures, Texture.values(), "textures");
        twoShapeFraction = twoShapeFraction == null ? 0.25 : twoShapeFraction;
        classLabel = classLabel == null ? ClassLabel.SHAPE_COLOUR : classLabel;
        video = video != null && video;
        frames = frames == null ? 16 : frames;
        directions = orAll(directions, Direction.values(), "directions");
        epochSize = epochSize == null ? -1L : epochSize;
        loader = loader == null ? LoaderOptions.DEFAULT : loader;

        if (imageSize < 16 || imageSize > 1024 || Integer.bitCount(imageSize) != 1) {
            throw new IllegalArgumentException("image_size must be a power of two from 16 to 1024, got " + imageSize);
        }
        if (imageSize < 32 && !textures.equals(List.of(Texture.PLAIN))) {
            throw new IllegalArgumentException("striped and dotted textures need image_size ≥ 32 (their period is image_size/16); "
                    + "set textures to [\"plain\"] or raise image_size");
        }
        if (!(twoShapeFraction >= 0 && twoShapeFraction <= 1)) {
            throw new IllegalArgumentException("two_shape_fraction must be in [0, 1], got " + twoShapeFraction);
        }
        if (twoShapeFraction > 0 && !video && pairs(positions).isEmpty()) {
            throw new IllegalArgumentException("two_shape_fraction > 0 needs a pair of positions (left and right, or top and bottom); "
                    + "add them to positions or set two_shape_fraction to 0");
        }
        if (frames < 2 || frames > 256) {
            throw new IllegalArgumentException("frames must be 2..256, got " + frames);
        }
        if (epochSize == 0 || epochSize < -1 || epochSize > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("epoch_size must be −1 (endless) or 1.." + Integer.MAX_VALUE + ", got " + epochSize);
        }
    }

    /** The two-shape placements the options allow: [left, right] and/or [top, bottom]. */
    public List<Placement[]> pairs() {
        return pairs(positions);
    }

    private static List<Placement[]> pairs(List<Placement> positions) {
        List<Placement[]> out = new ArrayList<>();
        if (positions.contains(Placement.LEFT) && positions.contains(Placement.RIGHT)) {
            out.add(new Placement[] {Placement.LEFT, Placement.RIGHT});
        }
        if (positions.contains(Placement.TOP) && positions.contains(Placement.BOTTOM)) {
            out.add(new Placement[] {Placement.TOP, Placement.BOTTOM});
        }
        return out;
    }

    /** Class names in label order. */
    public List<String> classNames() {
        List<String> names = new ArrayList<>();
        switch (classLabel) {
            case SHAPE:
                shapes.forEach(s -> names.add(s.word()));
                break;
            case COLOUR:
                colours.forEach(c -> names.add(c.word()));
                break;
            default:
                for (ShapeKind s : shapes) {
                    for (Colour c : colours) {
                        names.add(c.word() + " " + s.word());
                    }
                }
        }
        return names;
    }

    /** The class label of a shape. */
    public int label(ShapeKind kind, Colour colour) {
        switch (classLabel) {
            case SHAPE:
                return shapes.indexOf(kind);
            case COLOUR:
                return colours.indexOf(colour);
            default:
                return shapes.indexOf(kind) * colours.size() + colours.indexOf(colour);
        }
    }

    public int frameCount() {
        return video ? frames : 1;
    }

    private static <E extends Enum<E>> List<E> orAll(List<E> given, E[] all, String key) {
        if (given == null) {
            return List.of(all);
        }
        if (given.isEmpty()) {
            throw new IllegalArgumentException(key + " must not be empty");
        }
        if (given.contains(null)) {
            throw new IllegalArgumentException(key + " has an empty entry");
        }
        if (EnumSet.copyOf(given).size() != given.size()) {
            throw new IllegalArgumentException(key + " lists a value twice: " + given);
        }
        return List.copyOf(given);
    }
}
