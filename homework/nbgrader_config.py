# nbgrader configuration for LSTM Lab's homework (https://nbgrader.readthedocs.io).
# Run nbgrader commands from this folder: the sources are in source/<assignment>/<assignment>.ipynb.
c = get_config()  # noqa: F821

c.CourseDirectory.course_id = "lstm-lab"
c.CourseDirectory.root = "."
c.ExecutePreprocessor.timeout = 120
c.ClearSolutions.code_stub = {"python": "raise NotImplementedError"}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"
