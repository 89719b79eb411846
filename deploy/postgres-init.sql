-- A database per service: no service reads another's tables.
CREATE DATABASE directory;
CREATE DATABASE plans;
CREATE DATABASE attendance;
CREATE DATABASE media;
CREATE DATABASE scoring;
CREATE DATABASE notifications;
CREATE DATABASE volunteers;
CREATE DATABASE quizzes;
