UPDATE outputs SET prediction = NULL;
