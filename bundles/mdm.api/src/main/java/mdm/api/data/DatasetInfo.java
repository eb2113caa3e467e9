package mdm.api.data;

import java.util.List;

/**
 * What a dataset yields, known before any sample is read.
 *
 * @param size      samples per epoch, or −1 for an endless generator
 * @param classNames label names by index; empty when the data has no labels
 */
public record DatasetInfo(String name, int imageSize, int channels, int frames, List<String> classNames,
                          boolean hasCaptions, long size) {
    public DatasetInfo {
        classNames = List.copyOf(classNames);
    }

    public int numClasses() {
        return classNames.size();
    }
}
