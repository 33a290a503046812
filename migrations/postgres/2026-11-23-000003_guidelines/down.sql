DROP TABLE guideline_signatures;
DROP TABLE guideline_regions;
DROP TABLE guidelines;
