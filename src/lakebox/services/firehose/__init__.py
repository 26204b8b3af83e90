"""Amazon Data Firehose: delivery streams that buffer records durably and deliver them to the lake."""
