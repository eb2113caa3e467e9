package mdm.data.shapes;

import java.util.List;
import java.util.stream.Collectors;

/**
 * What one sample shows: one or two shapes on a background; a clip's single shape moves in a direction.
 *
 * @param direction null for images
 */
public record Scene(Background background, List<Item> items, Direction direction) {
    /** One shape: its box centre is at {@code position} (clips: the middle of the path). */
    public record Item(ShapeKind kind, Colour colour, SizeClass size, Texture texture, Placement position) {
        /** "a large red striped circle". */
        public String phrase() {
            return "a " + size.word() + " " + colour.word() + " " + texture.word() + " " + kind.word();
        }
    }

    public Scene {
        items = List.copyOf(items);
        if (items.isEmpty() || items.size() > 2 || direction != null && items.size() != 1) {
            throw new IllegalArgumentException("a scene has one or two shapes, a clip one");
        }
    }

    /**
     * The English caption, which names every attribute: "a large red striped circle at the top on a
     * grey background", "a small blue plain square on the left and a large ... on the right on a
     * white background", "a small green dotted triangle moving up on a black background".
     */
    public String caption() {
        String shapes;
        if (direction != null) {
            shapes = items.get(0).phrase() + " moving " + direction.word();
        } else {
            shapes = items.stream().map(i -> i.phrase() + " " + i.position().phrase()).collect(Collectors.joining(" and "));
        }
        return shapes + " on a " + background.word() + " background";
    }
}
