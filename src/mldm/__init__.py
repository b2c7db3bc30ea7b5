"""mldm: the course "Machine Learning and Data Mining" as one reproducible pipeline.

Data flows one way: ``data`` -> ``models`` (+ ``training``) -> ``evaluation`` ->
``lectures`` -> ``report``. Models never import lectures, tracking or DVC.
"""

__version__ = "0.1.0"
