"""Study quizzes (学习测试): question banks, quizzes on directives and micro lessons, attempts and results."""
