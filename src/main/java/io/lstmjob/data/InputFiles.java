package io.lstmjob.data;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * The data files behind input.path, checked before Spark reads them so that errors name the path,
 * and their size in all.
 */
public record InputFiles(List<Path> files, long bytes) {

    /**
     * The visible files of a file or folder, sorted by name. Hidden files (names starting with '.'
     * or '_', such as _SUCCESS and .crc) are skipped, as Hadoop's input formats do.
     */
    public static InputFiles list(String inputPath, Configuration conf) {
        Path path = new Path(inputPath);
        try {
            FileSystem fs = path.getFileSystem(conf);
            Path qualified = fs.makeQualified(path);
            if (!fs.exists(qualified)) {
                throw new InputDataException("input.path " + qualified + " does not exist");
            }
            FileStatus status = fs.getFileStatus(qualified);
            List<Path> files = new ArrayList<>();
            if (status.isFile()) {
                files.add(status.getPath());
            } else {
                FileStatus[] children = fs.listStatus(qualified);
                java.util.Arrays.sort(
                        children, Comparator.comparing(s -> s.getPath().getName()));
                for (FileStatus child : children) {
                    String name = child.getPath().getName();
                    if (child.isFile() && !name.startsWith(".") && !name.startsWith("_")) {
                        files.add(child.getPath());
                    }
                }
                if (files.isEmpty()) {
                    throw new InputDataException("input.path " + qualified + " is a folder with no data files");
                }
            }
            long bytes = 0;
            for (Path file : files) {
                long length = fs.getFileStatus(file).getLen();
                if (length == 0) {
                    throw new InputDataException("input file " + file + " is empty");
                }
                bytes += length;
            }
            return new InputFiles(List.copyOf(files), bytes);
        } catch (IOException e) {
            throw new InputDataException("cannot list input.path " + inputPath + ": " + e.getMessage());
        }
    }
}
