package mdm.api.diffusion;

import java.util.Locale;

/** How a predicted x0 is kept in range while sampling (ml-mdm threshold_function). */
public enum Thresholding {
    NONE, CLIP, DYNAMIC, DYNAMIC_IF;

    /** Parses our names and ml-mdm's (case-insensitive, '-' or '_'). */
    public static Thresholding parse(String name) {
        try {
            return valueOf(name.trim().toUpperCase(Locale.ROOT).replace('-', '_'));
        } catch (IllegalArgumentException e) {
            throw new mdm.api.MdmException("unknown thresholding '" + name
                    + "': use one of none, clip, dynamic, dynamic_if");
        }
    }
}
