package mdm.data.shapes;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import mdm.api.MdmException;

/** Reads the shapes captions (and any caption built of their words) back into attributes. */
final class CaptionParser {
    private static final Pattern BACKGROUND = Pattern.compile("\\bon an? (\\w+) background\\b");
    private static final Pattern MOVING = Pattern.compile("\\bmoving (?:to the )?(\\w+)\\b");
    private static final Map<String, Placement> PLACES = new LinkedHashMap<>();

    static {
        for (Placement p : Placement.values()) {
            PLACES.put(p.phrase(), p);
        }
        PLACES.put("in the middle", Placement.CENTRE);
    }

    private CaptionParser() {
    }

    static Expectation parse(String caption) {
        if (caption == null || caption.isBlank()) {
            throw new MdmException("the shapes checker needs the caption (or class name) each sample was generated from; got none");
        }
        String text = caption.toLowerCase(Locale.ROOT).replaceAll("[^a-z ]", " ").replaceAll("\\s+", " ").trim()
                .replaceAll("\\bgray\\b", "grey").replaceAll("\\bcenter\\b", "centre");
        Background background = null;
        Matcher bg = BACKGROUND.matcher(text);
        if (bg.find()) {
            background = word(Background.values(), bg.group(1), "background", caption);
            text = (text.substring(0, bg.start()) + text.substring(bg.end())).trim();
        }
        List<Expectation.Item> items = new ArrayList<>();
        for (String part : text.split(" and ")) {
            Expectation.Item item = item(part.trim(), caption);
            if (item != null) {
                items.add(item);
            }
        }
        if (items.size() > 2 || items.isEmpty() && background == null) {
            throw new MdmException("not a shapes caption: '" + caption + "' (expected e.g. 'a large red striped circle at the top on a grey background')");
        }
        return new Expectation(background, items);
    }

    private static Expectation.Item item(String part, String caption) {
        Direction direction = null;
        Matcher moving = MOVING.matcher(part);
        if (moving.find()) {
            direction = word(Direction.values(), moving.group(1), "direction", caption);
            part = part.substring(0, moving.start()) + part.substring(moving.end());
        }
        Placement position = null;
        for (var e : PLACES.entrySet()) {
            int at = part.indexOf(e.getKey());
            if (at >= 0) {
                position = e.getValue();
                part = part.substring(0, at) + part.substring(at + e.getKey().length());
                break;
            }
        }
        ShapeKind kind = null;
        Colour colour = null;
        SizeClass size = null;
        Texture texture = null;
        for (String w : part.trim().split(" ")) {
            kind = kind != null ? kind : find(ShapeKind.values(), w);
            colour = colour != null ? colour : find(Colour.values(), w);
            size = size != null ? size : find(SizeClass.values(), w);
            texture = texture != null ? texture : find(Texture.values(), w);
        }
        if (kind == null && colour == null && size == null && texture == null && position == null && direction == null) {
            return null;
        }
        return new Expectation.Item(kind, colour, size, texture, position, direction);
    }

    private static <E extends Enum<E>> E find(E[] values, String w) {
        for (E v : values) {
            if (v.name().equalsIgnoreCase(w)) {
                return v;
            }
        }
        return null;
    }

    private static <E extends Enum<E>> E word(E[] values, String w, String what, String caption) {
        E v = find(values, w);
        if (v == null) {
            throw new MdmException("unknown " + what + " '" + w + "' in caption '" + caption + "'");
        }
        return v;
    }
}
