package mdm.data.shapes;

import java.util.List;

/**
 * What a caption claims; every attribute a caption does not mention is null and is not checked, so
 * a class name ("red circle") is a valid, partial caption.
 */
record Expectation(Background background, List<Item> items) {
    record Item(ShapeKind kind, Colour colour, SizeClass size, Texture texture, Placement position, Direction direction) {
    }

    Expectation {
        items = List.copyOf(items);
    }
}
