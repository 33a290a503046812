DROP TABLE recognitions;
DROP TABLE learning_environment_languages;
DROP TABLE learning_environment_tasks;
DROP TABLE learning_environments;
